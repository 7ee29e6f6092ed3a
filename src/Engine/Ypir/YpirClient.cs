using System.Security.Cryptography;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// The YPIR client. It holds one secret s (uniform ternary, degree d) for its lifetime — the LWE secret
/// of its queries and the RLWE secret its answers are packed under — and the packing key derived from it,
/// which every query carries. The secret never leaves this object and is zeroed on dispose.
/// </summary>
public sealed class YpirClient : IPirClient, IDisposable
{
    private readonly YpirRing _ring;
    private readonly sbyte[] _secret;
    private readonly ulong[][] _secretNtt;
    private readonly YpirPackingKey _packingKey;
    private bool _disposed;

    /// <summary>Creates a client with a fresh secret for <paramref name="parameters"/>; insecure presets need <paramref name="allowInsecure"/>.</summary>
    public YpirClient(YpirParameters parameters, bool allowInsecure = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!parameters.Preset.IsSecure && !allowInsecure)
        {
            ThrowHelper.Argument(nameof(parameters), $"preset {parameters.Preset.Name} is below 128-bit security; pass allowInsecure only in tests.");
        }

        Parameters = parameters;
        _ring = YpirRing.For(parameters.Preset);
        int d = _ring.D;
        _secret = new sbyte[d];
        SecretSampling.Ternary(_secret);
        _secretNtt = [new ulong[d], new ulong[d]];
        for (int x = 0; x < d; x++)
        {
            _ring.SetSigned(_secretNtt[0], _secretNtt[1], x, _secret[x]);
        }

        _ring.Forward(_secretNtt[0], _secretNtt[1]);
        _packingKey = new YpirPackingKey(parameters, MakePackingKey());
    }

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.Ypir;

    /// <inheritdoc />
    public int ServerCount => 1;

    /// <inheritdoc />
    public int RecordBytes => Parameters.RecordBytes;

    /// <summary>The layout this client queries.</summary>
    public YpirParameters Parameters { get; }

    /// <summary>The packing key every query of this client is answered with (public; links this client's queries).</summary>
    public YpirPackingKey PackingKey => _packingKey;

    /// <inheritdoc />
    public PirEvaluationKey? EvaluationKey => _packingKey;

    /// <inheritdoc />
    public PirQuery[] Query(long index) => [MakeQuery(index)];

    /// <summary>Makes the query for record <paramref name="index"/>.</summary>
    public YpirQuery MakeQuery(long index)
    {
        ThrowIfDisposed();
        if ((ulong)index >= (ulong)Parameters.RecordCount)
        {
            ThrowHelper.SecretIndexOutOfRange(nameof(index), Parameters.RecordCount);
        }

        int d = _ring.D;
        long selected = index / Parameters.RecordsPerColumn;
        var values = new uint[Parameters.Columns];
        var errors = new sbyte[d];
        var a = new long[d];
        var column = new uint[d];
        var tieBits = new byte[d / 8];
        for (int block = 0; block < Parameters.ColumnBlocks; block++)
        {
            // b = a·s + e + Δ·u mod 2^32 for this block's d columns: coefficient x of the negacyclic product
            // a(x)·s(x) is ⟨a_j, s⟩ for column j = block·d + x (a_j is a's x-th negacyclic rotation, reversed).
            MatrixPolynomial(block, a);
            _ring.MultiplyMod32(a, _secretNtt[0], _secretNtt[1], column);
            SecretSampling.CenteredBinomial(errors);
            RandomNumberGenerator.Fill(tieBits);
            for (int x = 0; x < d; x++)
            {
                long j = ((long)block * d) + x;
                uint message = j == selected ? 1u << (32 - YpirParameters.PlainBits) : 0u;
                uint b = unchecked(column[x] + (uint)errors[x] + message);

                // Round to the 30 bits the wire carries, to nearest with ties broken by a random bit, so the
                // rounding error has mean zero: the first dimension sums it over every column with non-negative
                // weights, and a biased rounding (ties always up: mean +1/2) would grow linearly with the columns.
                const int Shift = 32 - YpirParameters.QueryBits;
                const uint Half = 1u << (Shift - 1);
                uint rest = b & ((1u << Shift) - 1);
                uint up = rest > Half || (rest == Half && ((tieBits[x >> 3] >> (x & 7)) & 1) != 0) ? 1u : 0u;
                values[j] = unchecked(((b >> Shift) + up) << Shift);
            }
        }

        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(column.AsSpan()));
        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(errors.AsSpan()));
        return new YpirQuery(Parameters, values);
    }

    /// <inheritdoc />
    public byte[] Recover(long index, ReadOnlySpan<PirAnswer> answers)
    {
        ThrowIfDisposed();
        if ((ulong)index >= (ulong)Parameters.RecordCount)
        {
            ThrowHelper.SecretIndexOutOfRange(nameof(index), Parameters.RecordCount);
        }

        if (answers.Length != 1)
        {
            ThrowHelper.ArgumentLength(nameof(answers), answers.Length, 1);
        }

        if (answers[0] is not YpirAnswer answer || answer.Parameters != Parameters)
        {
            ThrowHelper.Argument(nameof(answers), "answers[0] is not a YPIR answer for this client's parameters.");
            return null!;
        }

        byte[] column = DecryptColumn(answer, out _);
        int offset = (int)(index % Parameters.RecordsPerColumn) * Parameters.RecordBytes;
        return column.AsSpan(offset, Parameters.RecordBytes).ToArray();
    }

    /// <summary>
    /// Decrypts every row of the answer (the selected column) and reports the largest noise magnitude in
    /// units of the answer modulus, against the threshold 2^(AnswerBits − 9) below which decoding is exact.
    /// </summary>
    internal byte[] DecryptColumn(YpirAnswer answer, out long maxNoise)
    {
        int d = _ring.D;
        int bits = Parameters.Preset.AnswerBits;
        int shift = bits - YpirParameters.PlainBits;
        ulong mask = (1UL << bits) - 1;
        var column = new byte[Parameters.Rows];
        var a = new long[d];
        var product = new uint[d];
        maxNoise = 0;
        for (int c = 0; c < Parameters.OutputCiphertexts; c++)
        {
            // a·s exactly (|a| < 2^(bits−1), s ternary: far below Q/2), then mod 2^bits.
            for (int x = 0; x < d; x++)
            {
                ulong v = answer.A[c][x];
                a[x] = v >= (1UL << (bits - 1)) ? (long)v - (1L << bits) : (long)v;
            }

            _ring.MultiplyMod32(a, _secretNtt[0], _secretNtt[1], product);
            for (int x = 0; x < d; x++)
            {
                ulong phase = (answer.B[c][x] - product[x]) & mask;
                ulong m = ((phase + (1UL << (shift - 1))) >> shift) & ((1UL << YpirParameters.PlainBits) - 1);
                long noise = (long)((phase - (m << shift)) & mask);
                if (noise >= 1L << (bits - 1))
                {
                    noise -= 1L << bits;
                }

                maxNoise = Math.Max(maxNoise, Math.Abs(noise));
                column[(c * d) + x] = (byte)m;
            }
        }

        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(product.AsSpan()));
        return column;
    }

    /// <summary>Zeroes the secret.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_secret.AsSpan()));
            foreach (var r in _secretNtt)
            {
                Array.Clear(r);
            }
        }
    }

    /// <summary>Test hook: whether <paramref name="bytes"/> contains the secret's coefficients as a run (it must not).</summary>
    internal bool SecretAppearsIn(ReadOnlySpan<byte> bytes)
    {
        var s = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_secret.AsSpan(0, Math.Min(64, _secret.Length)));
        return bytes.IndexOf(s) >= 0;
    }

    /// <summary>
    /// Test hook: the LWE errors of a query this client made, e_j = b_j − ⟨a_j, s⟩ − 2^24·[j = selected], centered.
    /// </summary>
    internal long[] QueryErrors(YpirQuery query, long selectedColumn)
    {
        int d = _ring.D;
        var errors = new long[Parameters.Columns];
        var a = new long[d];
        var column = new uint[d];
        for (int block = 0; block < Parameters.ColumnBlocks; block++)
        {
            MatrixPolynomial(block, a);
            _ring.MultiplyMod32(a, _secretNtt[0], _secretNtt[1], column);
            for (int x = 0; x < d; x++)
            {
                long j = ((long)block * d) + x;
                uint message = j == selectedColumn ? 1u << (32 - YpirParameters.PlainBits) : 0u;
                errors[j] = unchecked((int)(query.ColumnValues[j] - column[x] - message));
            }
        }

        return errors;
    }

    /// <summary>Test hook: the secret's coefficient x (for key-recovery checks in tests).</summary>
    internal int SecretCoefficient(int x) => _secret[x];

    // W_b[ℓ][k] = W_a[ℓ][k]·s + e − B^k·τ_(2^ℓ+1)(s), NTT form: a key switch from τ(s) to s, phase b − a·s.
    private ulong[][][][] MakePackingKey()
    {
        int d = _ring.D;
        var uniform = YpirPacking.UniformHalves(_ring, Parameters.PublicSeed);
        var key = YpirPackingKey.NewKey(_ring);
        var errors = new sbyte[d];
        var e = new ulong[2][] { new ulong[d], new ulong[d] };
        for (int level = 1; level <= _ring.LogD; level++)
        {
            var perm = _ring.Permutations[level];
            for (int k = 0; k < _ring.Preset.GadgetDigits; k++)
            {
                SecretSampling.CenteredBinomial(errors);
                for (int x = 0; x < d; x++)
                {
                    _ring.SetSigned(e[0], e[1], x, errors[x]);
                }

                _ring.Forward(e[0], e[1]);
                for (int p = 0; p < 2; p++)
                {
                    var m = _ring.Moduli[p];
                    ulong g = _ring.Gadget[p][k];
                    var wa = uniform[level][k][p];
                    var s = _secretNtt[p];
                    var target = key[level][k][p];
                    for (int x = 0; x < d; x++)
                    {
                        ulong v = m.Add(m.Mul(wa[x], s[x]), e[p][x]);
                        target[x] = m.Sub(v, m.Mul(g, s[perm[x]]));
                    }
                }
            }
        }

        CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(errors.AsSpan()));
        Array.Clear(e[0]);
        Array.Clear(e[1]);
        return key;
    }

    private void MatrixPolynomial(int block, long[] destination)
    {
        var raw = new uint[_ring.D];
        YpirPublicRandom.FillUInt32(Parameters.PublicSeed, YpirPublicRandom.MatrixDomain + (ulong)block, raw);
        for (int x = 0; x < raw.Length; x++)
        {
            destination[x] = (int)raw[x];
        }
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowHelper.ObjectDisposed(nameof(YpirClient));
        }
    }
}
