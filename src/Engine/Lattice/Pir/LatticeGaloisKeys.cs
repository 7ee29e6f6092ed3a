using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// A client's Galois (key-switching) keys for query expansion: the lattice scheme's
/// <see cref="PirEvaluationKey"/>, uploaded once per key period and passed by the host with every
/// query of that client. One key per expansion level ℓ, for the elements g_i = N/2^i + 1.
/// Each key has k digits; a digit's uniform half is expanded from the key's seed, so only the
/// other half travels, in NTT form modulo q_0 … q_(k-1) and P.
/// Encoding: <c>version ‖ scheme ‖ 'G' ‖ log2 N ‖ k ‖ ℓ ‖ ℓ × (g (uint32 LE) ‖ seed (32) ‖ k × packed residues)</c>.
/// </summary>
public sealed class LatticeGaloisKeys : PirEvaluationKey
{
    /// <summary>The byte after the scheme byte that marks a key blob (queries and answers have none).</summary>
    public const byte Marker = (byte)'G';

    /// <summary>Bytes before the first key.</summary>
    public const int HeaderLength = PirWireHeader.Length + 4;

    /// <summary>Bytes before each key's packed digits (element and seed).</summary>
    public const int PerKeyHeaderLength = sizeof(uint) + SeededUniform.SeedBytes;

    private readonly BfvGaloisKey[] _keys;

    internal LatticeGaloisKeys(LatticePirParameters parameters, BfvGaloisKey[] keys)
    {
        Parameters = parameters;
        _keys = keys;
    }

    /// <summary>The layout the keys were made for.</summary>
    public LatticePirParameters Parameters { get; }

    /// <summary>Number of keys (expansion levels).</summary>
    public int Count => _keys.Length;

    internal IReadOnlyList<BfvGaloisKey> Keys => _keys;

    /// <summary>The Galois elements the expansion uses, level by level: N/2^i + 1.</summary>
    internal static uint[] ElementsFor(LatticePirParameters parameters)
    {
        var elements = new uint[parameters.ExpansionLevels];
        for (int i = 0; i < elements.Length; i++)
        {
            elements[i] = (uint)(parameters.Encryption.N >> i) + 1;
        }

        return elements;
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.Lattice;

    /// <inheritdoc />
    public override int EncodedLength => Parameters.GaloisKeyBytes;

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        var enc = Parameters.Encryption;
        int n = enc.N;
        int k = enc.CiphertextModuli.Count;
        PirWireHeader.Write(destination, PirSchemeKind.Lattice);
        destination[2] = Marker;
        destination[3] = (byte)System.Numerics.BitOperations.Log2((uint)n);
        destination[4] = (byte)k;
        destination[5] = (byte)_keys.Length;
        int offset = HeaderLength;
        int digitBytes = DigitBytes(Parameters);
        foreach (var key in _keys)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[offset..], key.GaloisElement);
            key.Seed.CopyTo(destination[(offset + sizeof(uint))..]);
            offset += PerKeyHeaderLength;
            for (int digit = 0; digit < k; digit++)
            {
                var writer = new BitWriter(destination.Slice(offset, digitBytes));
                for (int j = 0; j <= k; j++)
                {
                    writer.WriteAll(key.B[digit].AsSpan(j * n, n), LatticePirParameters.BitLength(ModulusAt(enc, j)));
                }

                writer.Flush();
                offset += digitBytes;
            }
        }
    }

    private static ulong ModulusAt(LatticeParameters enc, int j) =>
        j < enc.CiphertextModuli.Count ? enc.CiphertextModuli[j] : enc.SpecialModulus;

    private static int DigitBytes(LatticePirParameters p)
    {
        var enc = p.Encryption;
        int bits = enc.CiphertextModuli.Sum(LatticePirParameters.BitLength) + LatticePirParameters.BitLength(enc.SpecialModulus);
        return LatticePirParameters.PackedBytes(enc.N, bits);
    }

    /// <summary>Decodes keys for <paramref name="parameters"/>; throws <see cref="PirFormatException"/> on bad bytes.</summary>
    public static LatticeGaloisKeys Decode(ReadOnlySpan<byte> source, LatticePirParameters parameters)
    {
        if (!TryDecode(source, parameters, out var keys, out var error))
        {
            ThrowHelper.Format(error);
        }

        return keys;
    }

    /// <summary>Decodes keys for <paramref name="parameters"/>; false with a typed error on bad bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, LatticePirParameters parameters, [NotNullWhen(true)] out LatticeGaloisKeys? keys, out PirDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        keys = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.Lattice, "galois keys", out error))
        {
            return false;
        }

        if (source.Length < HeaderLength)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "galois keys header", source.Length, HeaderLength);
            return false;
        }

        var enc = parameters.Encryption;
        int n = enc.N;
        int k = enc.CiphertextModuli.Count;
        var elements = ElementsFor(parameters);
        if (!PirWireHeader.TryCheckValue(source[2], Marker, "galois keys marker", out error)
            || !PirWireHeader.TryCheckValue(source[3], System.Numerics.BitOperations.Log2((uint)n), "galois keys log2 N", out error)
            || !PirWireHeader.TryCheckValue(source[4], k, "galois keys prime count", out error)
            || !PirWireHeader.TryCheckValue(source[5], elements.Length, "galois keys count", out error)
            || !PirWireHeader.TryCheckLength(source, parameters.GaloisKeyBytes, "galois keys", out error))
        {
            return false;
        }

        var ctx = BfvContext.Get(enc);
        int digitBytes = DigitBytes(parameters);
        int offset = HeaderLength;
        var result = new BfvGaloisKey[elements.Length];
        for (int i = 0; i < elements.Length; i++)
        {
            uint g = BinaryPrimitives.ReadUInt32LittleEndian(source[offset..]);
            if (!PirWireHeader.TryCheckValue(g, elements[i], "galois element", out error))
            {
                return false;
            }

            byte[] seed = source.Slice(offset + sizeof(uint), SeededUniform.SeedBytes).ToArray();
            offset += PerKeyHeaderLength;
            var b = new ulong[k][];
            var a = new ulong[k][];
            for (int digit = 0; digit < k; digit++)
            {
                b[digit] = new ulong[(k + 1) * n];
                var reader = new BitReader(source.Slice(offset, digitBytes));
                for (int j = 0; j <= k; j++)
                {
                    ulong q = ModulusAt(enc, j);
                    if (!reader.TryReadAll(b[digit].AsSpan(j * n, n), LatticePirParameters.BitLength(q), q, "galois key coefficient", out error))
                    {
                        return false;
                    }
                }

                if (!reader.TryFinish("galois key", out error))
                {
                    return false;
                }

                a[digit] = new ulong[(k + 1) * n];
                Bfv.ExpandSeed(ctx, seed, digit, k + 1, a[digit]);
                offset += digitBytes;
            }

            result[i] = new BfvGaloisKey(g, seed, b, a);
        }

        keys = new LatticeGaloisKeys(parameters, result);
        return true;
    }
}
