using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// A lattice PIR query: one seeded BFV ciphertext whose plaintext marks the wanted row (coefficient
/// i1) and column (coefficient N1 + i2), each pre-scaled by 2^-ℓ so oblivious expansion yields
/// encryptions of 1 and 0. Only c0 travels; c1 is expanded from the seed (<see cref="SeededUniform"/>),
/// halving the size. The query names no client: the host passes the client's Galois keys with it.
/// Encoding: <c>version ‖ scheme ‖ seed (32) ‖ c0</c>, c0 being the residues
/// modulo q_0 … q_(k-1) packed end to end at each prime's bit length.
/// </summary>
public sealed class LatticeQuery : PirQuery
{
    /// <summary>Bytes before the packed c0.</summary>
    public const int HeaderLength = PirWireHeader.Length + SeededUniform.SeedBytes;

    private readonly byte[] _seed;
    private readonly ulong[] _c0;

    internal LatticeQuery(LatticePirParameters parameters, byte[] seed, ulong[] c0)
    {
        Parameters = parameters;
        _seed = seed;
        _c0 = c0;
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.Lattice;

    /// <summary>The layout the query was made for.</summary>
    public LatticePirParameters Parameters { get; }

    internal ReadOnlySpan<byte> Seed => _seed;

    internal ReadOnlySpan<ulong> C0 => _c0;

    /// <inheritdoc />
    public override int EncodedLength => Parameters.QueryBytes;

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, Scheme);
        _seed.CopyTo(destination[PirWireHeader.Length..]);
        var writer = new BitWriter(destination[HeaderLength..]);
        var moduli = Parameters.Encryption.CiphertextModuli;
        int n = Parameters.Encryption.N;
        for (int i = 0; i < moduli.Count; i++)
        {
            writer.WriteAll(_c0.AsSpan(i * n, n), LatticePirParameters.BitLength(moduli[i]));
        }

        writer.Flush();
    }

    /// <summary>Decodes a query for <paramref name="parameters"/>; throws <see cref="PirFormatException"/> on bad bytes.</summary>
    public static LatticeQuery Decode(ReadOnlySpan<byte> source, LatticePirParameters parameters)
    {
        if (!TryDecode(source, parameters, out var query, out var error))
        {
            ThrowHelper.Format(error);
        }

        return query;
    }

    /// <summary>Decodes a query for <paramref name="parameters"/>; false with a typed error on bad bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, LatticePirParameters parameters, [NotNullWhen(true)] out LatticeQuery? query, out PirDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        query = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.Lattice, "lattice query", out error)
            || !PirWireHeader.TryCheckLength(source, parameters.QueryBytes, "lattice query", out error))
        {
            return false;
        }

        byte[] seed = source.Slice(PirWireHeader.Length, SeededUniform.SeedBytes).ToArray();
        var moduli = parameters.Encryption.CiphertextModuli;
        int n = parameters.Encryption.N;
        var c0 = new ulong[moduli.Count * n];
        var reader = new BitReader(source[HeaderLength..]);
        for (int i = 0; i < moduli.Count; i++)
        {
            if (!reader.TryReadAll(c0.AsSpan(i * n, n), LatticePirParameters.BitLength(moduli[i]), moduli[i], "lattice query coefficient", out error))
            {
                return false;
            }
        }

        if (!reader.TryFinish("lattice query", out error))
        {
            return false;
        }

        query = new LatticeQuery(parameters, seed, c0);
        return true;
    }
}

/// <summary>
/// A lattice PIR answer: ciphertexts modulus-switched to q_0 (one per sub-database for d = 1, F per
/// sub-database for d = 2). Encoding: <c>version ‖ scheme ‖ count (uint16 LE) ‖ ciphertexts</c>, each
/// ciphertext as c0 then c1 with coefficients packed at bits(q_0).
/// </summary>
public sealed class LatticeAnswer : PirAnswer
{
    /// <summary>Bytes before the ciphertexts.</summary>
    public const int HeaderLength = PirWireHeader.Length + sizeof(ushort);

    private readonly ulong[][] _ciphertexts;

    internal LatticeAnswer(LatticePirParameters parameters, ulong[][] ciphertexts)
    {
        Parameters = parameters;
        _ciphertexts = ciphertexts;
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.Lattice;

    /// <summary>The layout the answer was made for.</summary>
    public LatticePirParameters Parameters { get; }

    /// <summary>Number of ciphertexts.</summary>
    public int CiphertextCount => _ciphertexts.Length;

    /// <summary>Ciphertext <paramref name="index"/> as c0 ‖ c1 residues modulo q_0 (2N values).</summary>
    internal ReadOnlySpan<ulong> Ciphertext(int index) => _ciphertexts[index];

    /// <inheritdoc />
    public override int EncodedLength => Parameters.AnswerBytes;

    private static int ExpectedCount(LatticePirParameters p) => p.PlaintextsPerRecord * p.AnswerCiphertextsPerSubDatabase;

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, Scheme);
        BinaryPrimitives.WriteUInt16LittleEndian(destination[PirWireHeader.Length..], (ushort)_ciphertexts.Length);
        int n = Parameters.Encryption.N;
        int bits = LatticePirParameters.BitLength(Parameters.Encryption.CiphertextModuli[0]);
        int polyBytes = LatticePirParameters.PackedBytes(n, bits);
        int offset = HeaderLength;
        foreach (var ct in _ciphertexts)
        {
            for (int poly = 0; poly < 2; poly++)
            {
                var writer = new BitWriter(destination.Slice(offset, polyBytes));
                writer.WriteAll(ct.AsSpan(poly * n, n), bits);
                writer.Flush();
                offset += polyBytes;
            }
        }
    }

    /// <summary>Decodes an answer for <paramref name="parameters"/>; throws <see cref="PirFormatException"/> on bad bytes.</summary>
    public static LatticeAnswer Decode(ReadOnlySpan<byte> source, LatticePirParameters parameters)
    {
        if (!TryDecode(source, parameters, out var answer, out var error))
        {
            ThrowHelper.Format(error);
        }

        return answer;
    }

    /// <summary>Decodes an answer for <paramref name="parameters"/>; false with a typed error on bad bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, LatticePirParameters parameters, [NotNullWhen(true)] out LatticeAnswer? answer, out PirDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        answer = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.Lattice, "lattice answer", out error))
        {
            return false;
        }

        if (source.Length < HeaderLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "lattice answer header", source.Length, HeaderLength);
            return false;
        }

        int count = BinaryPrimitives.ReadUInt16LittleEndian(source[PirWireHeader.Length..]);
        if (!PirWireHeader.TryCheckValue(count, ExpectedCount(parameters), "lattice answer ciphertext count", out error)
            || !PirWireHeader.TryCheckLength(source, parameters.AnswerBytes, "lattice answer", out error))
        {
            return false;
        }

        int n = parameters.Encryption.N;
        ulong q0 = parameters.Encryption.CiphertextModuli[0];
        int bits = LatticePirParameters.BitLength(q0);
        int polyBytes = LatticePirParameters.PackedBytes(n, bits);
        int offset = HeaderLength;
        var cts = new ulong[count][];
        for (int c = 0; c < count; c++)
        {
            cts[c] = new ulong[2 * n];
            for (int poly = 0; poly < 2; poly++)
            {
                var reader = new BitReader(source.Slice(offset, polyBytes));
                if (!reader.TryReadAll(cts[c].AsSpan(poly * n, n), bits, q0, "lattice answer coefficient", out error)
                    || !reader.TryFinish("lattice answer", out error))
                {
                    return false;
                }

                offset += polyBytes;
            }
        }

        answer = new LatticeAnswer(parameters, cts);
        return true;
    }
}
