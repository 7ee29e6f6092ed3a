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
    private byte* _matrix;

    /// <summary>Builds the matrix and the packing precomputation for <paramref name="database"/>.</summary>
    public YpirServer(PirDatabase database, YpirParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(parameters);
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
        var leafA = new uint[d * d];
        for (int c = 0; c < parameters.OutputCiphertexts; c++)
        {
            ComputeLeafA(c, leafA);
            _digits[c] = new uint[YpirPacking.DigitValues(_ring)];
            _answerA[c] = YpirPacking.Precompute(_ring, uniform, leafA, _digits[c]);
        }

        SetupTime = timer.Elapsed;
    }

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
    public PirAnswer Answer(PirQuery query) => Answer(query, out _);

    /// <summary>Answers one query and reports how long the first dimension and the packing took.</summary>
    public YpirAnswer Answer(PirQuery query, out (TimeSpan FirstDimension, TimeSpan Packing) timings) =>
        Answer(query, YpirKernels.Best, out timings);

    /// <summary>Answers on a chosen first-dimension kernel path (tests run every path).</summary>
    internal YpirAnswer Answer(PirQuery query, KernelPath path, out (TimeSpan FirstDimension, TimeSpan Packing) timings)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query is not YpirQuery q || q.Parameters.Columns != Parameters.Columns || q.Parameters.Rows != Parameters.Rows || q.Parameters.Preset != Parameters.Preset)
        {
            ThrowHelper.Argument(nameof(query), "query is not a YPIR query for this server's parameters.");
            timings = default;
            return null!;
        }

        ThrowIfDisposed();
        var timer = Stopwatch.StartNew();
        var y = new uint[Parameters.Rows];
        FirstDimension(q.ColumnValues, y, path);
        var first = timer.Elapsed;
        int d = _ring.D;
        var b = new ulong[Parameters.OutputCiphertexts][];
        for (int c = 0; c < b.Length; c++)
        {
            b[c] = YpirPacking.PackOnline(_ring, y.AsSpan(c * d, d), _digits[c], q.KeyB, path);
        }

        timings = (first, timer.Elapsed - first);
        return new YpirAnswer(Parameters, _answerA, b);
    }

    /// <inheritdoc />
    public PirAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries)
    {
        var answers = new PirAnswer[queries.Length];
        for (int i = 0; i < queries.Length; i++)
        {
            answers[i] = Answer(queries[i]);
        }

        return answers;
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

    private void ThrowIfDisposed()
    {
        if (_matrix == null)
        {
            ThrowHelper.ObjectDisposed(nameof(YpirServer));
        }
    }
}
