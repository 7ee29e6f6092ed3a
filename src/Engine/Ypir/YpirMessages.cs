using System.Buffers.Binary;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// A YPIR query: one LWE value mod 2^32 per column, b_j = ⟨a_j, s⟩ + e_j + 2^24·[j = column] rounded to a
/// multiple of 4 (the a_j come from the public seed). Wire: version ‖ scheme 4 ‖ columns × 30 bits (b_j / 4,
/// bit-packed little-endian, zero padding bits). The server answers it with the client's
/// <see cref="YpirPackingKey"/>, uploaded once per key period or sent beside every query.
/// </summary>
public sealed class YpirQuery : PirQuery
{
    internal YpirQuery(YpirParameters parameters, uint[] columns)
    {
        Parameters = parameters;
        ColumnValues = columns;
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.Ypir;

    /// <summary>The layout this query is for.</summary>
    public YpirParameters Parameters { get; }

    /// <inheritdoc />
    public override int EncodedLength => checked((int)Parameters.QueryBytes);

    internal uint[] ColumnValues { get; }

    /// <summary>Decodes a query for <paramref name="parameters"/>; throws <see cref="PirFormatException"/>.</summary>
    public static YpirQuery Decode(ReadOnlySpan<byte> source, YpirParameters parameters)
    {
        if (!TryDecode(source, parameters, out var query, out var error))
        {
            ThrowHelper.Format(error);
        }

        return query!;
    }

    /// <summary>Decodes a query for <paramref name="parameters"/>, or says why not.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, YpirParameters parameters, out YpirQuery? query, out PirDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        query = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.Ypir, "YpirQuery", out error)
            || !PirWireHeader.TryCheckLength(source, parameters.QueryBytes, "YpirQuery", out error))
        {
            return false;
        }

        int columns = checked((int)parameters.Columns);
        var values = new uint[columns];
        var body = source[PirWireHeader.Length..];
        const int Shift = 32 - YpirParameters.QueryBits;
        var columnReader = new BitReader(body[..(int)parameters.ColumnBytes]);
        for (int j = 0; j < columns; j++)
        {
            values[j] = (uint)columnReader.Read(YpirParameters.QueryBits) << Shift;
        }

        if (!columnReader.TryFinish("YpirQuery.columns", out error))
        {
            return false;
        }

        query = new YpirQuery(parameters, values);
        return true;
    }

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, PirSchemeKind.Ypir);
        var body = destination[PirWireHeader.Length..EncodedLength];
        const int Shift = 32 - YpirParameters.QueryBits;
        var columnBytes = body[..(int)Parameters.ColumnBytes];
        columnBytes.Clear();
        var columnWriter = new BitWriter(columnBytes);
        foreach (uint v in ColumnValues)
        {
            columnWriter.Write(v >> Shift, YpirParameters.QueryBits);
        }

        columnWriter.Flush();
    }
}

/// <summary>
/// A client's packing key: for each automorphism level ℓ = 1..log2 d and gadget digit k, the b half of an RLWE
/// encryption under s of −B^k·τ_(2^ℓ+1)(s) (the a halves come from the public seed), in NTT form. Public and the
/// same for every query of one client, so it links them: a host keeps it for one key period (DESIGN.md,
/// "Evaluation keys"), or the client sends it beside each query. Wire: version ‖ scheme 4 ‖ residues ordered
/// level, digit, prime, slot, each packed at its prime's bit length (zero padding bits); every residue below its prime.
/// </summary>
public sealed class YpirPackingKey : PirEvaluationKey
{
    internal YpirPackingKey(YpirParameters parameters, ulong[][][][] keyB)
    {
        Parameters = parameters;
        KeyB = keyB;
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.Ypir;

    /// <summary>The layout this key is for.</summary>
    public YpirParameters Parameters { get; }

    /// <inheritdoc />
    public override int EncodedLength => checked((int)Parameters.PackingKeyBytes);

    /// <summary>KeyB[ℓ][k][prime][slot], ℓ = 1..log2 d.</summary>
    internal ulong[][][][] KeyB { get; }

    /// <summary>Decodes a key for <paramref name="parameters"/>; throws <see cref="PirFormatException"/>.</summary>
    public static YpirPackingKey Decode(ReadOnlySpan<byte> source, YpirParameters parameters)
    {
        if (!TryDecode(source, parameters, out var key, out var error))
        {
            ThrowHelper.Format(error);
        }

        return key!;
    }

    /// <summary>Decodes a key for <paramref name="parameters"/>, or says why not.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, YpirParameters parameters, out YpirPackingKey? key, out PirDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        key = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.Ypir, "YpirPackingKey", out error)
            || !PirWireHeader.TryCheckLength(source, parameters.PackingKeyBytes, "YpirPackingKey", out error))
        {
            return false;
        }

        var ring = YpirRing.For(parameters.Preset);
        var reader = new BitReader(source[PirWireHeader.Length..]);
        var keyB = NewKey(ring);
        for (int level = 1; level <= ring.LogD; level++)
        {
            for (int k = 0; k < ring.Preset.GadgetDigits; k++)
            {
                for (int p = 0; p < 2; p++)
                {
                    var m = ring.Moduli[p];
                    if (!reader.TryReadAll(keyB[level][k][p], m.Bits, m.Value, "YpirPackingKey.residue", out error))
                    {
                        return false;
                    }
                }
            }
        }

        if (!reader.TryFinish("YpirPackingKey", out error))
        {
            return false;
        }

        key = new YpirPackingKey(parameters, keyB);
        return true;
    }

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, PirSchemeKind.Ypir);
        var ring = YpirRing.For(Parameters.Preset);
        var body = destination[PirWireHeader.Length..EncodedLength];
        body.Clear();
        var writer = new BitWriter(body);
        for (int level = 1; level <= ring.LogD; level++)
        {
            for (int k = 0; k < ring.Preset.GadgetDigits; k++)
            {
                for (int p = 0; p < 2; p++)
                {
                    writer.WriteAll(KeyB[level][k][p], ring.Moduli[p].Bits);
                }
            }
        }

        writer.Flush();
    }

    internal static ulong[][][][] NewKey(YpirRing ring)
    {
        var key = new ulong[ring.LogD + 1][][][];
        key[0] = [];
        for (int level = 1; level <= ring.LogD; level++)
        {
            key[level] = new ulong[ring.Preset.GadgetDigits][][];
            for (int k = 0; k < ring.Preset.GadgetDigits; k++)
            {
                key[level][k] = [new ulong[ring.D], new ulong[ring.D]];
            }
        }

        return key;
    }
}

/// <summary>
/// A YPIR answer: k RLWE ciphertexts (a, b) modulo 2^AnswerBits whose phases b − a·s carry the selected
/// column's bytes, 2^(AnswerBits−8) each. Wire: version ‖ scheme 4 ‖ k (u16 LE) ‖ per ciphertext d values of
/// a then d values of b, packed at AnswerBits bits (zero padding at the end).
/// </summary>
public sealed class YpirAnswer : PirAnswer
{
    internal YpirAnswer(YpirParameters parameters, ulong[][] a, ulong[][] b)
    {
        Parameters = parameters;
        A = a;
        B = b;
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.Ypir;

    /// <summary>The layout this answer is for.</summary>
    public YpirParameters Parameters { get; }

    /// <inheritdoc />
    public override int EncodedLength => checked((int)Parameters.AnswerBytes);

    internal ulong[][] A { get; }

    internal ulong[][] B { get; }

    /// <summary>Decodes an answer for <paramref name="parameters"/>; throws <see cref="PirFormatException"/>.</summary>
    public static YpirAnswer Decode(ReadOnlySpan<byte> source, YpirParameters parameters)
    {
        if (!TryDecode(source, parameters, out var answer, out var error))
        {
            ThrowHelper.Format(error);
        }

        return answer!;
    }

    /// <summary>Decodes an answer for <paramref name="parameters"/>, or says why not.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, YpirParameters parameters, out YpirAnswer? answer, out PirDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        answer = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.Ypir, "YpirAnswer", out error))
        {
            return false;
        }

        if (source.Length < PirWireHeader.Length + 2)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "YpirAnswer", source.Length, parameters.AnswerBytes);
            return false;
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(source[PirWireHeader.Length..]);
        if (!PirWireHeader.TryCheckValue(count, parameters.OutputCiphertexts, "YpirAnswer.count", out error)
            || !PirWireHeader.TryCheckLength(source, parameters.AnswerBytes, "YpirAnswer", out error))
        {
            return false;
        }

        int d = parameters.Preset.RingDegree;
        int bits = parameters.Preset.AnswerBits;
        int perCiphertext = ((2 * d * bits) + 7) / 8;
        var a = new ulong[count][];
        var b = new ulong[count][];
        for (int c = 0; c < count; c++)
        {
            var reader = new BitReader(source.Slice(PirWireHeader.Length + 2 + (c * perCiphertext), perCiphertext));
            a[c] = new ulong[d];
            b[c] = new ulong[d];
            for (int x = 0; x < d; x++)
            {
                a[c][x] = reader.Read(bits);
            }

            for (int x = 0; x < d; x++)
            {
                b[c][x] = reader.Read(bits);
            }

            if (!reader.TryFinish("YpirAnswer.ciphertext", out error))
            {
                return false;
            }
        }

        answer = new YpirAnswer(parameters, a, b);
        return true;
    }

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, PirSchemeKind.Ypir);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[PirWireHeader.Length..], (ushort)A.Length);
        int d = Parameters.Preset.RingDegree;
        int bits = Parameters.Preset.AnswerBits;
        int perCiphertext = ((2 * d * bits) + 7) / 8;
        for (int c = 0; c < A.Length; c++)
        {
            var slice = destination.Slice(PirWireHeader.Length + 2 + (c * perCiphertext), perCiphertext);
            slice.Clear();
            var writer = new BitWriter(slice);
            writer.WriteAll(A[c], bits);
            writer.WriteAll(B[c], bits);
            writer.Flush();
        }
    }
}
