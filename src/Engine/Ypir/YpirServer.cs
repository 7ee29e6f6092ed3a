using System.Diagnostics;
using System.Runtime.InteropServices;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// The YPIR server for one database snapshot. Setup (once per snapshot, <see cref="SetupTime"/>):
/// the records are laid out as a column-major byte matrix in owned, 64-byte aligned native memory;
/// the hint rows H_i = Σ_j D_ij·a_j (mod 2^32, a_j the public LWE matrix) are computed with
/// negacyclic products in the NTT domain, since each block of d columns of the public matrix is one
/// polynomial's rotations; the hint is then consumed by the packing precomputation and dropped.
/// Per query: the first dimension (one pass over the matrix) and the online half of the packing.
/// The server keeps nothing per client.
/// </summary>
public sealed unsafe class YpirServer : IPirServer, IDisposable
{
    // Hint blocks whose exact products are summed before one reduction mod 2^32: each block's product is
    // below 255·2^31·d ≤ 2^50 in magnitude, so 4 blocks stay below Q/2 > 2^52.
    private const int HintBlocksPerReduction = 4;

    private readonly YpirRing _ring;
    private readonly uint[][] _digits;
    private readonly ulong[][] _answerA;

    // The hint in RLWE form per output ciphertext (d rows × d coefficients, mod 2^32), kept for incremental updates.
    private readonly uint[][] _leafA;
    private byte* _matrix;

    /// <summary>Builds the matrix and the packing precomputation for <paramref name="database"/>; insecure presets need <paramref name="allowInsecure"/>.</summary>
    public YpirServer(PirDatabase database, YpirParameters parameters, bool allowInsecure = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.Preset.IsSecure && !allowInsecure)
        {
            ThrowHelper.Argument(nameof(parameters), $"preset {parameters.Preset.Name} is below 128-bit security; pass allowInsecure only in tests.");
        }

        if (database.RecordCount != parameters.RecordCount || database.RecordBytes != parameters.RecordBytes)
        {
            ThrowHelper.Argument(nameof(parameters), $"parameters are for {parameters.RecordCount} × {parameters.RecordBytes} B; the database is {database.RecordCount} × {database.RecordBytes} B.");
        }

        var timer = Stopwatch.StartNew();
        Parameters = parameters;
        _ring = YpirRing.For(parameters.Preset);
        nuint bytes = (nuint)(parameters.Columns * parameters.Rows);
        _matrix = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        NativeMemory.Clear(_matrix, bytes);
        database.AddScanReference();
        try
        {
            int rpc = parameters.RecordsPerColumn;
            int strip = YpirKernels.RowStrip;
            for (long r = 0; r < database.RecordCount; r++)
            {
                long column = r / rpc;
                int row = (int)(r % rpc) * parameters.RecordBytes;
                byte* source = database.GetRowPointer(r);
                for (int done = 0; done < parameters.RecordBytes;)
                {
                    // The part of the record that falls in one strip's line of this column.
                    int i = row + done;
                    int run = Math.Min(parameters.RecordBytes - done, strip - (i % strip));
                    Buffer.MemoryCopy(source + done, _matrix + YpirKernels.Offset(i, column, parameters.Columns), run, run);
                    done += run;
                }
            }
        }
        finally
        {
            database.ReleaseScanReference();
        }

        LayoutTime = timer.Elapsed;
        var uniform = YpirPacking.UniformHalves(_ring, parameters.PublicSeed);
        int d = _ring.D;
        _digits = new uint[parameters.OutputCiphertexts][];
        _answerA = new ulong[parameters.OutputCiphertexts][];
        _leafA = new uint[parameters.OutputCiphertexts][];
        for (int c = 0; c < parameters.OutputCiphertexts; c++)
        {
            _leafA[c] = new uint[d * d];
            ComputeLeafA(c, _leafA[c]);
            _digits[c] = new uint[YpirPacking.DigitValues(_ring)];
            _answerA[c] = YpirPacking.Precompute(_ring, uniform, _leafA[c], _digits[c]);
        }

        SetupTime = timer.Elapsed;
    }

    // The incremental constructor: see Update.
    private YpirServer(YpirServer previous, PirDatabase next)
    {
        var timer = Stopwatch.StartNew();
        Parameters = previous.Parameters;
        _ring = previous._ring;
        previous.ThrowIfDisposed();
        nuint bytes = (nuint)(Parameters.Columns * Parameters.Rows);
        _matrix = (byte*)NativeMemory.AlignedAlloc(bytes, 64);
        Buffer.MemoryCopy(previous._matrix, _matrix, bytes, bytes);
        int k = Parameters.OutputCiphertexts;
        int d = _ring.D;
        _leafA = new uint[k][];
        var dirty = new bool[k];
        var blocks = new Dictionary<long, uint[]>();
        next.AddScanReference();
        try
        {
            int rpc = Parameters.RecordsPerColumn;
            int recordBytes = Parameters.RecordBytes;
            for (long r = 0; r < next.RecordCount; r++)
            {
                long column = r / rpc;
                int firstRow = (int)(r % rpc) * recordBytes;
                byte* source = next.GetRowPointer(r);
                for (int b = 0; b < recordBytes; b++)
                {
                    int row = firstRow + b;
                    byte* entry = _matrix + YpirKernels.Offset(row, column, Parameters.Columns);
                    if (*entry == source[b])
                    {
                        continue;
                    }

                    // A_i += conj(δ·x^t)·a_block, t = column mod d: a signed multiple of a negacyclic rotation of the
                    // public polynomial, exact mod 2^32 — no transform needed for one entry.
                    int c = row / d;
                    if (_leafA[c] is null)
                    {
                        _leafA[c] = (uint[])previous._leafA[c].Clone();
                        dirty[c] = true;
                    }

                    long block = column / d;
                    if (!blocks.TryGetValue(block, out var a))
                    {
                        a = new uint[d];
                        YpirPublicRandom.FillUInt32(Parameters.PublicSeed, YpirPublicRandom.MatrixDomain + (ulong)block, a);
                        blocks[block] = a;
                    }

                    int delta = source[b] - *entry;
                    int t = (int)(column % d);
                    AddRotated(_leafA[c].AsSpan((row % d) * d, d), a, t == 0 ? delta : -delta, t == 0 ? 0 : d - t);
                    *entry = source[b];
                    ChangedEntries++;
                }
            }
        }
        finally
        {
            next.ReleaseScanReference();
        }

        var uniform = YpirPacking.UniformHalves(_ring, Parameters.PublicSeed);
        _digits = new uint[k][];
        _answerA = new ulong[k][];
        for (int c = 0; c < k; c++)
        {
            if (dirty[c])
            {
                _digits[c] = new uint[YpirPacking.DigitValues(_ring)];
                _answerA[c] = YpirPacking.Precompute(_ring, uniform, _leafA[c], _digits[c]);
                RebuiltCiphertexts++;
            }
            else
            {
                // Unchanged output ciphertexts share the previous snapshot's (immutable) precomputation.
                _leafA[c] = previous._leafA[c];
                _digits[c] = previous._digits[c];
                _answerA[c] = previous._answerA[c];
            }
        }

        SetupTime = timer.Elapsed;
    }

    /// <summary>
    /// The server for the next snapshot <paramref name="next"/> (same shape), built from this one: entries that
    /// changed are found by comparing every record, the hint is patched in O(d) per changed byte (one column of
    /// the public matrix is a rotation of one polynomial), and only the output ciphertexts whose rows changed redo
    /// the packing precomputation (the packing tree mixes all d rows through gadget decompositions, so it cannot be
    /// patched). This server stays valid; the returned one owns its own matrix.
    /// </summary>
    public YpirServer Update(PirDatabase next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (next.RecordCount != Parameters.RecordCount || next.RecordBytes != Parameters.RecordBytes)
        {
            ThrowHelper.Argument(nameof(next), $"next snapshot is {next.RecordCount} × {next.RecordBytes} B; this server's is {Parameters.RecordCount} × {Parameters.RecordBytes} B.");
        }

        return new YpirServer(this, next);
    }

    /// <summary>Matrix entries that differed from the previous snapshot (servers made by <see cref="Update"/>).</summary>
    public long ChangedEntries { get; }

    /// <summary>Output ciphertexts whose packing precomputation was redone (servers made by <see cref="Update"/>).</summary>
    public int RebuiltCiphertexts { get; }

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.Ypir;

    /// <summary>The layout this server answers.</summary>
    public YpirParameters Parameters { get; }

    /// <summary>Time to build the matrix and the precomputation (once per snapshot).</summary>
    public TimeSpan SetupTime { get; }

    /// <summary>Part of <see cref="SetupTime"/> spent copying records into the matrix.</summary>
    public TimeSpan LayoutTime { get; }

    /// <summary>Vector width in bits of the first-dimension kernel this machine runs (0 = scalar).</summary>
    public static int KernelVectorWidth => YpirKernels.Best switch
    {
        KernelPath.Vector512 => 512,
        KernelPath.Vector256 => 256,
        _ => 0,
    };

    /// <inheritdoc />
    public bool NeedsEvaluationKey => true;

    /// <inheritdoc />
    public PirAnswer Answer(PirQuery query, PirEvaluationKey? evaluationKey = null) =>
        Answer(AsQuery(query, nameof(query)), AsKey(evaluationKey, nameof(evaluationKey)), YpirKernels.Best, out _);

    /// <summary>Answers one query with its client's packing key and reports how long the first dimension and the packing took.</summary>
    public YpirAnswer Answer(YpirQuery query, YpirPackingKey key, out (TimeSpan FirstDimension, TimeSpan Packing) timings) =>
        Answer(AsQuery(query, nameof(query)), AsKey(key, nameof(key)), YpirKernels.Best, out timings);

    /// <inheritdoc />
    public PirAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries, ReadOnlySpan<PirEvaluationKey> evaluationKeys = default)
    {
        if (queries.IsEmpty)
        {
            return [];
        }

        if (evaluationKeys.Length != queries.Length)
        {
            ThrowHelper.ArgumentLength(nameof(evaluationKeys), evaluationKeys.Length, queries.Length);
        }

        var answers = new PirAnswer[queries.Length];
        for (int i = 0; i < queries.Length; i++)
        {
            answers[i] = Answer(AsQuery(queries[i], nameof(queries)), AsKey(evaluationKeys[i], nameof(evaluationKeys)), YpirKernels.Best, out _);
        }

        return answers;
    }

    /// <summary>Answers on a chosen first-dimension and packing kernel path (tests run every path).</summary>
    internal YpirAnswer Answer(YpirQuery query, YpirPackingKey key, KernelPath path, out (TimeSpan FirstDimension, TimeSpan Packing) timings)
    {
        ThrowIfDisposed();
        var timer = Stopwatch.StartNew();
        var y = new uint[Parameters.Rows];
        FirstDimension(query.ColumnValues, y, path);
        var first = timer.Elapsed;
        int d = _ring.D;
        var b = new ulong[Parameters.OutputCiphertexts][];
        for (int c = 0; c < b.Length; c++)
        {
            b[c] = YpirPacking.PackOnline(_ring, y.AsSpan(c * d, d), _digits[c], key.KeyB, path);
        }

        timings = (first, timer.Elapsed - first);
        return new YpirAnswer(Parameters, _answerA, b);
    }

    private YpirQuery AsQuery(PirQuery? query, string name)
    {
        if (query is not YpirQuery q)
        {
            ThrowHelper.Argument(name, $"{name} holds a {query?.Scheme.ToString() ?? "null"} query; expected {PirSchemeKind.Ypir}.");
            return null;
        }

        if (q.Parameters != Parameters)
        {
            ThrowHelper.Argument(name, $"{name} holds a query for {q.Parameters}; expected {Parameters}.");
        }

        return q;
    }

    private YpirPackingKey AsKey(PirEvaluationKey? key, string name)
    {
        if (key is not YpirPackingKey k)
        {
            ThrowHelper.Argument(name, key is null
                ? $"{name} is missing; YPIR packs each answer with its client's packing key."
                : $"{name} holds a {key.Scheme} key; expected a {PirSchemeKind.Ypir} packing key.");
            return null;
        }

        if (k.Parameters != Parameters)
        {
            ThrowHelper.Argument(name, $"{name} holds a key for {k.Parameters}; expected {Parameters}.");
        }

        return k;
    }

    /// <summary>The first dimension on the given kernel path (tests compare paths).</summary>
    internal void FirstDimension(ReadOnlySpan<uint> columns, Span<uint> y, KernelPath path)
    {
        ThrowIfDisposed();
        YpirKernels.FirstDimension(_matrix, Parameters.Rows, columns, y, path);
    }

    /// <summary>Entry (row, column) of the matrix (tests).</summary>
    internal byte Entry(int row, long column) => _matrix[YpirKernels.Offset(row, column, Parameters.Columns)];

    /// <summary>Frees the matrix.</summary>
    public void Dispose()
    {
        if (_matrix != null)
        {
            NativeMemory.Clear(_matrix, (nuint)(Parameters.Columns * Parameters.Rows));
            NativeMemory.AlignedFree(_matrix);
            _matrix = null;
        }
    }

    /// <summary>
    /// Leaf "a" polynomials of output ciphertext <paramref name="c"/>: for row i = c·d + r, the RLWE form of the
    /// LWE vector H_i, A_i(x) = Σ_blocks conj(D_(i,block))(x)·a_block(x) mod 2^32, where D_(i,block)(x) holds the
    /// row's d entries of that block and conj(f)(x) = f(x^(−1)) (so A_i's constant term pairs with s_0 and
    /// coefficient d − l with −s_l, making the constant term of A_i·s equal to ⟨H_i, s⟩).
    /// </summary>
    internal void ComputeLeafA(int c, Span<uint> leafA)
    {
        int d = _ring.D;
        int blocks = Parameters.ColumnBlocks;
        var matrixNtt = new ulong[blocks][][];
        var raw = new uint[d];
        for (int block = 0; block < blocks; block++)
        {
            YpirPublicRandom.FillUInt32(Parameters.PublicSeed, YpirPublicRandom.MatrixDomain + (ulong)block, raw);
            var r0 = new ulong[d];
            var r1 = new ulong[d];
            for (int x = 0; x < d; x++)
            {
                _ring.SetSigned(r0, r1, x, (int)raw[x]);
            }

            _ring.Forward(r0, r1);
            matrixNtt[block] = [r0, r1];
        }

        // One 64-row strip at a time, so each block of the strip (d lines of 64 bytes) is read once, sequentially.
        const int Strip = YpirKernels.RowStrip;
        var acc = new ulong[Strip][][];
        for (int i = 0; i < Strip; i++)
        {
            acc[i] = [new ulong[d], new ulong[d]];
        }

        var p0 = new ulong[d];
        var p1 = new ulong[d];
        leafA.Clear();
        for (int r0 = 0; r0 < d; r0 += Strip)
        {
            int stripRow = (c * d) + r0;
            for (int start = 0; start < blocks; start += HintBlocksPerReduction)
            {
                int end = Math.Min(blocks, start + HintBlocksPerReduction);
                for (int i = 0; i < Strip; i++)
                {
                    Array.Clear(acc[i][0]);
                    Array.Clear(acc[i][1]);
                }

                for (int block = start; block < end; block++)
                {
                    byte* lines = _matrix + YpirKernels.Offset(stripRow, (long)block * d, Parameters.Columns);
                    for (int i = 0; i < Strip; i++)
                    {
                        // conj(D)(x): coefficient 0 is D_0, coefficient d − t is −D_t.
                        _ring.SetSigned(p0, p1, 0, lines[i]);
                        for (int t = 1; t < d; t++)
                        {
                            _ring.SetSigned(p0, p1, d - t, -(long)lines[(t * Strip) + i]);
                        }

                        _ring.Forward(p0, p1);
                        PolyKernels.MulAccumulate(p0, matrixNtt[block][0], acc[i][0]);
                        PolyKernels.MulAccumulate(p1, matrixNtt[block][1], acc[i][1]);
                    }
                }

                for (int i = 0; i < Strip; i++)
                {
                    PolyKernels.ReduceWide(acc[i][0], acc[i][0], _ring.P0);
                    PolyKernels.ReduceWide(acc[i][1], acc[i][1], _ring.P1);
                    _ring.Inverse(acc[i][0], acc[i][1]);
                    var target = leafA.Slice((r0 + i) * d, d);
                    for (int x = 0; x < d; x++)
                    {
                        target[x] = unchecked(target[x] + (uint)_ring.Centered(_ring.Crt(acc[i][0][x], acc[i][1][x])));
                    }
                }
            }
        }
    }

    // target += coefficient · x^shift · a (negacyclic, mod 2^32).
    private static void AddRotated(Span<uint> target, uint[] a, int coefficient, int shift)
    {
        unchecked
        {
            int d = a.Length;
            uint c = (uint)coefficient;
            for (int l = 0; l < d; l++)
            {
                target[l] += l >= shift ? c * a[l - shift] : 0u - (c * a[l - shift + d]);
            }
        }
    }

    private void ThrowIfDisposed()
    {
        if (_matrix == null)
        {
            ThrowHelper.ObjectDisposed(nameof(YpirServer));
        }
    }
}
