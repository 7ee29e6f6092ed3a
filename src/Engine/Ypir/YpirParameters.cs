using System.Buffers.Binary;
using System.Security.Cryptography;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// The lattice half of a YPIR parameter set: ring degree d (also the LWE dimension of the first
/// dimension), the two NTT primes whose product Q is the packing modulus, the gadget used by the
/// packing key, and the modulus the answer is switched to. The first dimension always works modulo
/// 2^32 with 8-bit database entries (plaintext modulus p = 2^8, Δ = 2^24).
/// </summary>
public sealed class YpirPreset
{
    private YpirPreset(string name, int ringDegree, int primeBits, int gadgetBits, int gadgetDigits, int answerBits, bool secure)
    {
        Name = name;
        RingDegree = ringDegree;
        PrimeBits = primeBits;
        GadgetBits = gadgetBits;
        GadgetDigits = gadgetDigits;
        AnswerBits = answerBits;
        IsSecure = secure;
        Primes = NttPrimes.Find(primeBits, ringDegree, 2);
    }

    /// <summary>
    /// d = 2048, Q = two 27-bit primes (log2 Q = 54), ternary secret, centered-binomial errors (σ ≈ 3.24):
    /// the Homomorphic Encryption Standard's 128-bit classical bound for n = 2048 is log2 q ≤ 54, and the
    /// first dimension's q = 2^32 is below it. Gadget base 2^18 with 3 digits; answers switched to 2^28.
    /// </summary>
    public static YpirPreset N2048_Logq54 { get; } = new(nameof(N2048_Logq54), 2048, 27, 18, 3, 28, secure: true);

    /// <summary>d = 256 with the same moduli: the algebra of the real preset at test size. Not secure.</summary>
    internal static YpirPreset N256_Insecure { get; } = new(nameof(N256_Insecure), 256, 27, 18, 3, 28, secure: false);

    /// <summary>Preset name, with its numbers.</summary>
    public string Name { get; }

    /// <summary>Ring degree d = LWE dimension n.</summary>
    public int RingDegree { get; }

    /// <summary>log2 d.</summary>
    public int LogDegree => System.Numerics.BitOperations.Log2((uint)RingDegree);

    /// <summary>Bits of each of the two packing primes.</summary>
    public int PrimeBits { get; }

    /// <summary>The two packing primes, ≡ 1 mod 2d.</summary>
    internal IReadOnlyList<ulong> Primes { get; }

    /// <summary>log2 of the gadget base of the packing key.</summary>
    public int GadgetBits { get; }

    /// <summary>Digits of the packing key's gadget (GadgetBits · GadgetDigits ≥ log2 Q).</summary>
    public int GadgetDigits { get; }

    /// <summary>The answer is switched to modulus 2^AnswerBits.</summary>
    public int AnswerBits { get; }

    /// <summary>Whether the preset meets the 128-bit bound.</summary>
    public bool IsSecure { get; }

    /// <inheritdoc />
    public override string ToString() => Name;
}

/// <summary>
/// A YPIR layout for one database shape (SimplePIR first dimension, CDKS packing of the answer):
/// the records are cut into 8-bit entries of a matrix with <see cref="Rows"/> = k·d rows and
/// <see cref="Columns"/> columns (a multiple of d); each column holds <see cref="RecordsPerColumn"/>
/// whole records. The query selects a column; the answer is that column, packed into k RLWE ciphertexts.
/// </summary>
public sealed class YpirParameters : IEquatable<YpirParameters>
{
    /// <summary>Upper bound on the query's LWE part the planner aims for (the k = 1 layout of 1 GiB).</summary>
    public const long ColumnBytesBudget = 2L << 20;

    /// <summary>
    /// Bits of each query value on the wire: the client rounds b_j to its top 30 bits (adding at most 2 to the
    /// LWE error, uniform, σ ≈ 1.15 beside the Gaussian 3.24) and the server shifts them back, so the query is
    /// 30/32 of its full size for a negligible noise increase.
    /// </summary>
    public const int QueryBits = 30;

    /// <summary>Bits of a database entry (plaintext modulus 2^8).</summary>
    public const int PlainBits = 8;

    internal YpirParameters(long recordCount, int recordBytes, YpirPreset preset, int outputCiphertexts)
    {
        RecordCount = recordCount;
        RecordBytes = recordBytes;
        Preset = preset;
        OutputCiphertexts = outputCiphertexts;
        int d = preset.RingDegree;
        Rows = outputCiphertexts * d;
        RecordsPerColumn = Rows / recordBytes;
        long usedColumns = (recordCount + RecordsPerColumn - 1) / RecordsPerColumn;
        Columns = (usedColumns + d - 1) / d * d;
        PublicSeed = DerivePublicSeed(this);
    }

    /// <summary>Number of records.</summary>
    public long RecordCount { get; }

    /// <summary>Bytes per record.</summary>
    public int RecordBytes { get; }

    /// <summary>The lattice parameters.</summary>
    public YpirPreset Preset { get; }

    /// <summary>k: RLWE ciphertexts in an answer.</summary>
    public int OutputCiphertexts { get; }

    /// <summary>Matrix rows, k·d (bytes of one column).</summary>
    public int Rows { get; }

    /// <summary>Matrix columns (multiple of d; the tail is zero).</summary>
    public long Columns { get; }

    /// <summary>Whole records stored in one column.</summary>
    public int RecordsPerColumn { get; }

    /// <summary>Blocks of d columns: the query's LWE matrix is one uniform polynomial per block.</summary>
    public int ColumnBlocks => checked((int)(Columns / Preset.RingDegree));

    /// <summary>
    /// Seed of the public LWE matrix and of the packing key's uniform halves, derived from the layout
    /// (SHA-256 of a label and the shape), so neither travels and nobody chooses it.
    /// </summary>
    internal byte[] PublicSeed { get; }

    /// <summary>Bytes of the packing key (the evaluation key): header, log2 d levels × digits × d coefficients at both primes' bit lengths.</summary>
    public long PackingKeyBytes => PirWireHeader.Length + (((long)Preset.LogDegree * Preset.GadgetDigits * Preset.RingDegree * 2 * Preset.PrimeBits) + 7) / 8;

    /// <summary>Bytes of the query's LWE part: one <see cref="QueryBits"/>-bit value per column.</summary>
    public long ColumnBytes => ((Columns * QueryBits) + 7) / 8;

    /// <summary>Bytes of a query: header and the column values (the packing key travels apart, <see cref="PackingKeyBytes"/>).</summary>
    public long QueryBytes => PirWireHeader.Length + ColumnBytes;

    /// <summary>Bytes of an answer: header, count, k RLWE ciphertexts at <see cref="YpirPreset.AnswerBits"/> bits per coefficient.</summary>
    public long AnswerBytes => PirWireHeader.Length + 2 + (OutputCiphertexts * (((2L * Preset.RingDegree * Preset.AnswerBits) + 7) / 8));

    /// <summary>Server memory besides the records: the column-major matrix and the packing precomputation (digits of every key switch).</summary>
    public long PreprocessedBytes => (Columns * Rows) + ((long)OutputCiphertexts * (Preset.RingDegree - 1) * Preset.GadgetDigits * 2 * Preset.RingDegree * 4);

    /// <summary>Value equality: same shape, preset and output count (the rest is derived).</summary>
    public static bool operator ==(YpirParameters? left, YpirParameters? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(YpirParameters? left, YpirParameters? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(YpirParameters? other) =>
        other is not null && RecordCount == other.RecordCount && RecordBytes == other.RecordBytes && ReferenceEquals(Preset, other.Preset) && OutputCiphertexts == other.OutputCiphertexts;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as YpirParameters);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(RecordCount, RecordBytes, Preset.Name, OutputCiphertexts);

    /// <inheritdoc />
    public override string ToString() => $"YPIR {Preset.Name}, {RecordCount} × {RecordBytes} B, {Rows} × {Columns}, k = {OutputCiphertexts}";

    private static byte[] DerivePublicSeed(YpirParameters p)
    {
        Span<byte> input = stackalloc byte[64];
        "Privomega YPIR public seed v1\0\0\0"u8.CopyTo(input);
        BinaryPrimitives.WriteInt64LittleEndian(input[32..], p.RecordCount);
        BinaryPrimitives.WriteInt32LittleEndian(input[40..], p.RecordBytes);
        BinaryPrimitives.WriteInt32LittleEndian(input[44..], p.Preset.RingDegree);
        BinaryPrimitives.WriteInt32LittleEndian(input[48..], p.OutputCiphertexts);
        BinaryPrimitives.WriteInt64LittleEndian(input[52..], (long)p.Preset.Primes[0]);
        return SHA256.HashData(input);
    }
}

/// <summary>Chooses the YPIR layout for a database shape.</summary>
public static class YpirPlanner
{
    /// <summary>Most RLWE ciphertexts an answer may hold (the u16 count on the wire leaves room; this bounds server work).</summary>
    public const int MaxOutputCiphertexts = 1024;

    /// <summary>
    /// The layout on the 128-bit preset: the fewest output ciphertexts k ≥ ⌈R/d⌉ whose column vector stays
    /// within <see cref="YpirParameters.ColumnBytesBudget"/> (query LWE part), since every extra k costs
    /// d − 1 key-switch products per query.
    /// </summary>
    public static YpirParameters Plan(long recordCount, int recordBytes) => Plan(recordCount, recordBytes, YpirPreset.N2048_Logq54);

    internal static YpirParameters Plan(long recordCount, int recordBytes, YpirPreset preset)
    {
        if (recordCount < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, ">= 1");
        }

        int d = preset.RingDegree;
        if (recordBytes < 1 || recordBytes > MaxOutputCiphertexts * d)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordBytes), recordBytes, $"1..{MaxOutputCiphertexts * d}");
        }

        int k = (recordBytes + d - 1) / d;
        while (true)
        {
            var p = new YpirParameters(recordCount, recordBytes, preset, k);
            if (p.ColumnBytes <= YpirParameters.ColumnBytesBudget || k >= MaxOutputCiphertexts)
            {
                return p;
            }

            k *= 2;
        }
    }
}
