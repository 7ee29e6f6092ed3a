using System.Numerics;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// The resolved layout of one lattice PIR database (validated, immutable): the encryption
/// parameters, how records pack into plaintexts, the d = 1 or 2 dimensions of the plaintext
/// matrix, the query expansion depth, and the exact query, answer and key sizes.
/// <para>
/// A plaintext holds N·logt bits: <see cref="RecordsPerPlaintext"/> whole records, or, for records
/// longer than a plaintext, one record spread over <see cref="PlaintextsPerRecord"/> parallel
/// sub-databases that share the query. Plaintext u sits at row u / N2, column u mod N2. Dimension
/// one selects the row (N1 ciphertexts from the expanded query), dimension two the column: each
/// of the N2 first-level results is switched to q_0 and cut into <see cref="PiecesPerPolynomial"/>
/// base-t digits per polynomial (SealPIR's expansion factor F = 2·pieces), which become the
/// plaintexts of the second dimension. Both dimensions' indicator coefficients share one query
/// ciphertext (N1 + N2 ≤ N), expanded with <see cref="ExpansionLevels"/> automorphisms.
/// </para>
/// </summary>
public sealed class LatticePirParameters : IEquatable<LatticePirParameters>
{
    internal LatticePirParameters(LatticeParameters encryption, long recordCount, int recordBytes, int dimensions, int n1, int n2)
    {
        Encryption = encryption;
        RecordCount = recordCount;
        RecordBytes = recordBytes;
        Dimensions = dimensions;
        int n = encryption.N;
        PlaintextBytes = n * encryption.PlainModulusBits / 8;
        if (recordBytes <= PlaintextBytes)
        {
            RecordsPerPlaintext = PlaintextBytes / recordBytes;
            PlaintextsPerRecord = 1;
        }
        else
        {
            RecordsPerPlaintext = 1;
            PlaintextsPerRecord = (recordBytes + PlaintextBytes - 1) / PlaintextBytes;
        }

        PlaintextCount = (recordCount + RecordsPerPlaintext - 1) / RecordsPerPlaintext;
        N1 = n1;
        N2 = n2;
        int expanded = dimensions == 1 ? n1 : n1 + n2;
        ExpansionLevels = expanded <= 1 ? 0 : BitOperations.Log2((uint)(expanded - 1)) + 1;
        int q0Bits = BitLength(encryption.CiphertextModuli[0]);
        PiecesPerPolynomial = (q0Bits + encryption.PlainModulusBits - 1) / encryption.PlainModulusBits;
        AnswerCiphertextsPerSubDatabase = dimensions == 1 ? 1 : 2 * PiecesPerPolynomial;
        int k = encryption.CiphertextModuli.Count;
        int qBits = encryption.CiphertextModuli.Sum(BitLength);
        int qpBits = qBits + BitLength(encryption.SpecialModulus);
        QueryBytes = LatticeQuery.HeaderLength + PackedBytes(n, qBits);
        AnswerBytes = LatticeAnswer.HeaderLength + (PlaintextsPerRecord * AnswerCiphertextsPerSubDatabase * 2 * PackedBytes(n, q0Bits));
        GaloisKeyBytes = LatticeGaloisKeys.HeaderLength + (ExpansionLevels * (LatticeGaloisKeys.PerKeyHeaderLength + (k * PackedBytes(n, qpBits))));
    }

    /// <summary>The BFV parameters.</summary>
    public LatticeParameters Encryption { get; }

    /// <summary>Number of records.</summary>
    public long RecordCount { get; }

    /// <summary>Bytes per record.</summary>
    public int RecordBytes { get; }

    /// <summary>Recursion depth d (1 or 2).</summary>
    public int Dimensions { get; }

    /// <summary>Payload bytes of one plaintext, ⌊N·logt / 8⌋.</summary>
    public int PlaintextBytes { get; }

    /// <summary>Whole records per plaintext (1 when records span plaintexts).</summary>
    public int RecordsPerPlaintext { get; }

    /// <summary>Plaintexts (parallel sub-databases) per record; 1 unless records are longer than a plaintext.</summary>
    public int PlaintextsPerRecord { get; }

    /// <summary>Plaintexts per sub-database.</summary>
    public long PlaintextCount { get; }

    /// <summary>Rows of the plaintext matrix (first dimension).</summary>
    public int N1 { get; }

    /// <summary>Columns of the plaintext matrix (second dimension; 1 when d = 1).</summary>
    public int N2 { get; }

    /// <summary>Automorphism levels of the oblivious query expansion (one Galois key each).</summary>
    public int ExpansionLevels { get; }

    /// <summary>Base-t digits per polynomial of a first-level result (d = 2).</summary>
    public int PiecesPerPolynomial { get; }

    /// <summary>Ciphertexts in an answer per sub-database: 1 for d = 1, F = 2·pieces for d = 2.</summary>
    public int AnswerCiphertextsPerSubDatabase { get; }

    /// <summary>Encoded query bytes (one seeded ciphertext).</summary>
    public int QueryBytes { get; }

    /// <summary>Encoded answer bytes.</summary>
    public int AnswerBytes { get; }

    /// <summary>Encoded per-client Galois key bytes (uploaded once).</summary>
    public int GaloisKeyBytes { get; }

    /// <summary>Bytes the server holds for the preprocessed (NTT-form, 32-bit) database.</summary>
    public long PreprocessedBytes => (long)PlaintextsPerRecord * N1 * N2 * Encryption.CiphertextModuli.Count * Encryption.N * sizeof(uint);

    /// <summary>Bytes of <paramref name="n"/> coefficients of <paramref name="bits"/> bits, packed end to end.</summary>
    internal static int PackedBytes(int n, int bits) => (int)(((long)n * bits + 7) / 8);

    internal static int BitLength(ulong v) => 64 - BitOperations.LeadingZeroCount(v);

    /// <summary>Whether the encryption parameters meet 128-bit security (<see cref="LatticeParameters.IsSecure"/>).</summary>
    public bool IsSecure => Encryption.IsSecure;

    /// <summary>Throws unless the parameters are secure or the caller opted out (tests only).</summary>
    internal void CheckSecure(bool allowInsecure)
    {
        if (!IsSecure && !allowInsecure)
        {
            ThrowHelper.Argument("parameters", $"{Encryption.Name} is below 128-bit security; pass allowInsecure only in tests.");
        }
    }

    /// <summary>Equal when the encryption parameters and the layout are (everything else derives from them).</summary>
    public bool Equals(LatticePirParameters? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (Encryption == other.Encryption && RecordCount == other.RecordCount && RecordBytes == other.RecordBytes
                && Dimensions == other.Dimensions && N1 == other.N1 && N2 == other.N2));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LatticePirParameters);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Encryption, RecordCount, RecordBytes, Dimensions, N1, N2);

    /// <summary>Value equality.</summary>
    public static bool operator ==(LatticePirParameters? left, LatticePirParameters? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(LatticePirParameters? left, LatticePirParameters? right) => !(left == right);

    /// <inheritdoc />
    public override string ToString() =>
        $"{Encryption.Name}, {RecordCount} x {RecordBytes} B, d = {Dimensions}, {N1} x {N2}, {RecordsPerPlaintext} rec/pt, {PlaintextsPerRecord} pt/rec";
}

/// <summary>Chooses the layout of a lattice PIR database and predicts its sizes.</summary>
public static class LatticePirPlanner
{
    /// <summary>Largest plaintext count for which one dimension is chosen automatically: beyond it, two dimensions cost less expansion.</summary>
    public const int OneDimensionMaxPlaintexts = 64;

    /// <summary>
    /// Plans a database of <paramref name="recordCount"/> records of <paramref name="recordBytes"/> bytes.
    /// Defaults: <see cref="LatticeParameters.N4096_Logq108_Logt20"/> and d = 1 for at most
    /// <see cref="OneDimensionMaxPlaintexts"/> plaintexts, else d = 2 with N1 = ⌈√P⌉ rows.
    /// </summary>
    public static LatticePirParameters Plan(long recordCount, int recordBytes, LatticeParameters? encryption = null, int? dimensions = null)
    {
        encryption ??= LatticeParameters.N4096_Logq108_Logt20;
        if (recordCount < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, "at least 1");
        }

        if (recordBytes is < 1 or > (1 << 24))
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordBytes), recordBytes, "1..2^24");
        }

        int n = encryption.N;
        int plaintextBytes = n * encryption.PlainModulusBits / 8;
        int perPlaintext = recordBytes <= plaintextBytes ? plaintextBytes / recordBytes : 1;
        // Rounded-up division without recordCount + perPlaintext − 1, which overflows near long.MaxValue.
        long plaintexts = (recordCount / perPlaintext) + (recordCount % perPlaintext == 0 ? 0 : 1);
        int d = dimensions ?? (plaintexts <= OneDimensionMaxPlaintexts ? 1 : 2);
        if (d is < 1 or > 2)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(dimensions), d, "1 or 2");
        }

        int n1;
        int n2;
        if (d == 1)
        {
            if (plaintexts > n)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, $"at most {(long)n * perPlaintext} records for d = 1 with N = {n}");
            }

            n1 = (int)plaintexts;
            n2 = 1;
        }
        else
        {
            // N1 + N2 ≤ N holds at most (N/2)^2 plaintexts; checking that first keeps N1 and N2 small
            // enough that the int arithmetic below cannot overflow.
            if (plaintexts > (long)(n / 2) * (n / 2))
            {
                ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, $"a plaintext matrix with N1 + N2 ≤ N = {n} (at most {(long)(n / 2) * (n / 2) * perPlaintext} records)");
            }

            n1 = (int)Math.Ceiling(Math.Sqrt(plaintexts));
            n2 = (int)((plaintexts + n1 - 1) / n1);
            if (n1 + n2 > n)
            {
                ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, $"a plaintext matrix with N1 + N2 ≤ N = {n} (at most {(long)(n / 2) * (n / 2) * perPlaintext} records)");
            }
        }

        // The answer's ciphertext count travels as a uint16 and its encoding must fit one array: long
        // records with a small N or t would otherwise wrap the count or overflow the size.
        int q0Bits = LatticePirParameters.BitLength(encryption.CiphertextModuli[0]);
        long plaintextsPerRecord = recordBytes <= plaintextBytes ? 1 : ((long)recordBytes + plaintextBytes - 1) / plaintextBytes;
        long answerCiphertexts = plaintextsPerRecord * (d == 1 ? 1 : 2 * ((q0Bits + encryption.PlainModulusBits - 1) / encryption.PlainModulusBits));
        long answerBytes = LatticeAnswer.HeaderLength + (answerCiphertexts * 2 * LatticePirParameters.PackedBytes(n, q0Bits));
        if (answerCiphertexts > ushort.MaxValue || answerBytes > Array.MaxLength)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordBytes), recordBytes, $"records short enough for an answer of at most {ushort.MaxValue} ciphertexts and {Array.MaxLength} bytes (this one needs {answerCiphertexts} and {answerBytes})");
        }

        return new LatticePirParameters(encryption, recordCount, recordBytes, d, n1, n2);
    }
}
