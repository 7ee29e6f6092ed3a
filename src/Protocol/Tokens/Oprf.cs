using System.Buffers.Binary;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Tokens;

/// <summary>The three RFC 9497 protocol variants.</summary>
public enum OprfMode : byte
{
    /// <summary>Mode 0: the client cannot check which key evaluated its input.</summary>
    Oprf = 0,

    /// <summary>Mode 1: every evaluation carries a DLEQ proof against the server's public key.</summary>
    Voprf = 1,

    /// <summary>Mode 2 (POPRF): like mode 1, and the PRF also takes public info both sides agree on.</summary>
    Poprf = 2,
}

/// <summary>The domain-separation strings of one mode of the ristretto255-SHA512 suite.</summary>
internal sealed class OprfSuite
{
    private static readonly OprfSuite[] Suites = [new(OprfMode.Oprf), new(OprfMode.Voprf), new(OprfMode.Poprf)];

    private OprfSuite(OprfMode mode)
    {
        Mode = mode;
        // contextString = "OPRFV1-" ‖ I2OSP(mode, 1) ‖ "-" ‖ "ristretto255-SHA512"
        byte[] context = [.. "OPRFV1-"u8, (byte)mode, .. "-ristretto255-SHA512"u8];
        ContextString = context;
        HashToGroupDst = [.. "HashToGroup-"u8, .. context];
        HashToScalarDst = [.. "HashToScalar-"u8, .. context];
        DeriveKeyPairDst = [.. "DeriveKeyPair"u8, .. context];
        SeedDst = [.. "Seed-"u8, .. context];
    }

    public OprfMode Mode { get; }

    public byte[] ContextString { get; }

    public byte[] HashToGroupDst { get; }

    public byte[] HashToScalarDst { get; }

    public byte[] DeriveKeyPairDst { get; }

    public byte[] SeedDst { get; }

    public static OprfSuite For(OprfMode mode)
    {
        if ((uint)mode >= (uint)Suites.Length)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(mode), (long)mode, "OprfMode.Oprf (0), Voprf (1) or Poprf (2)");
        }

        return Suites[(int)mode];
    }

    /// <summary>HashToGroup: hash_to_ristretto255 with expand_message_xmd(SHA-512); false on the identity (InvalidInputError).</summary>
    public bool TryHashToGroup(ReadOnlySpan<byte> input, Span<byte> element)
    {
        Span<byte> uniform = stackalloc byte[Ristretto255.HashSize];
        Vrf.HashToCurve.ExpandMessageXmdSha512(input, HashToGroupDst, uniform);
        Ristretto255.FromHash(uniform, element);
        return !Ristretto255.IsZero(element);
    }

    /// <summary>HashToScalar: 64 bytes of expand_message_xmd read little-endian and reduced modulo L.</summary>
    public static void HashToScalar(ReadOnlySpan<byte> input, ReadOnlySpan<byte> dst, Span<byte> scalar)
    {
        Span<byte> uniform = stackalloc byte[64];
        Vrf.HashToCurve.ExpandMessageXmdSha512(input, dst, uniform);
        Ristretto255.Reduce(uniform, scalar);
        CryptographicOperations.ZeroMemory(uniform);
    }
}

/// <summary>
/// A server's RFC 9497 key pair (ristretto255-SHA512) for one mode. The scalar lives in
/// zero-on-dispose native memory.
/// </summary>
public sealed class OprfPrivateKey : IDisposable
{
    private readonly SecretBuffer _scalar;
    private readonly byte[] _publicKey;

    private OprfPrivateKey(OprfMode mode, SecretBuffer scalar, byte[] publicKey)
    {
        Mode = mode;
        _scalar = scalar;
        _publicKey = publicKey;
    }

    public OprfMode Mode { get; }

    /// <summary>pkS = skS·G, serialized (32 bytes); clients of mode 1 verify proofs against it.</summary>
    public ReadOnlySpan<byte> PublicKey => _publicKey;

    internal ReadOnlySpan<byte> Scalar => _scalar.Span;

    /// <summary>A key with a uniformly random non-zero scalar.</summary>
    public static OprfPrivateKey Generate(OprfMode mode)
    {
        OprfSuite.For(mode);
        Sodium.EnsureInitialized();
        var scalar = new SecretBuffer(Ristretto255.ScalarSize);
        Ristretto255.RandomScalar(scalar.Span);
        return FromScalar(mode, scalar);
    }

    /// <summary>DeriveKeyPair (RFC 9497 §3.2.1) from a 32-byte seed and public info.</summary>
    public static OprfPrivateKey DeriveKeyPair(OprfMode mode, ReadOnlySpan<byte> seed, ReadOnlySpan<byte> info)
    {
        OprfSuite suite = OprfSuite.For(mode);
        if (seed.Length != Ristretto255.ScalarSize)
        {
            ProtocolThrow.ArgumentLength(nameof(seed), seed.Length, Ristretto255.ScalarSize);
        }

        if (info.Length > ushort.MaxValue)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(info), info.Length, ushort.MaxValue);
        }

        Sodium.EnsureInitialized();
        // deriveInput ‖ I2OSP(counter, 1) with deriveInput = seed ‖ I2OSP(len(info), 2) ‖ info
        byte[] input = new byte[seed.Length + 2 + info.Length + 1];
        seed.CopyTo(input);
        BinaryPrimitives.WriteUInt16BigEndian(input.AsSpan(seed.Length), (ushort)info.Length);
        info.CopyTo(input.AsSpan(seed.Length + 2));
        var scalar = new SecretBuffer(Ristretto255.ScalarSize);
        try
        {
            for (int counter = 0; counter <= 255; counter++)
            {
                input[^1] = (byte)counter;
                OprfSuite.HashToScalar(input, suite.DeriveKeyPairDst, scalar.Span);
                if (!Ristretto255.IsZero(scalar.Span))
                {
                    return FromScalar(mode, scalar);
                }
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(input);
        }

        scalar.Dispose();
        ProtocolThrow.Cryptographic("OPRF DeriveKeyPair");
        return null;
    }

    /// <summary>Imports a serialized scalar (32 bytes, canonical, non-zero).</summary>
    public static OprfPrivateKey Import(OprfMode mode, ReadOnlySpan<byte> scalar)
    {
        if (!TryImport(mode, scalar, out OprfPrivateKey? key))
        {
            ProtocolThrow.InvalidKey(nameof(scalar), $"ristretto255 scalar ({Ristretto255.ScalarSize} bytes, canonical, non-zero; found {scalar.Length} bytes)");
        }

        return key;
    }

    public static bool TryImport(OprfMode mode, ReadOnlySpan<byte> scalar, [NotNullWhen(true)] out OprfPrivateKey? key)
    {
        OprfSuite.For(mode);
        key = null;
        if (scalar.Length != Ristretto255.ScalarSize || !Ristretto255.IsCanonicalScalar(scalar) || Ristretto255.IsZero(scalar))
        {
            return false;
        }

        Sodium.EnsureInitialized();
        key = FromScalar(mode, SecretBuffer.CopyFrom(scalar));
        return true;
    }

    /// <summary>Writes the 32-byte secret scalar.</summary>
    public void Export(Span<byte> destination)
    {
        if (destination.Length != Ristretto255.ScalarSize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, Ristretto255.ScalarSize);
        }

        _scalar.Span.CopyTo(destination);
    }

    public void Dispose() => _scalar.Dispose();

    private static OprfPrivateKey FromScalar(OprfMode mode, SecretBuffer scalar)
    {
        byte[] publicKey = new byte[Ristretto255.ElementSize];
        if (!Ristretto255.TryMultiplyBase(scalar.Span, publicKey))
        {
            scalar.Dispose();
            ProtocolThrow.Cryptographic("OPRF public key derivation");
        }

        return new OprfPrivateKey(mode, scalar, publicKey);
    }
}

/// <summary>A client's blinding of one input: the blinded element to send and the secret blind kept for Finalize.</summary>
public sealed class OprfBlind : IDisposable
{
    private readonly SecretBuffer _blind;
    private readonly byte[] _blindedElement;

    internal OprfBlind(SecretBuffer blind, byte[] blindedElement)
    {
        _blind = blind;
        _blindedElement = blindedElement;
    }

    public ReadOnlySpan<byte> BlindedElement => _blindedElement;

    internal ReadOnlySpan<byte> Scalar => _blind.Span;

    public void Dispose() => _blind.Dispose();
}

/// <summary>
/// RFC 9497 OPRF (mode 0), VOPRF (mode 1) and POPRF (mode 2) over ristretto255-SHA512: Blind, BlindEvaluate
/// (batched, one DLEQ proof per batch in mode 1), Finalize and the server's Evaluate.
/// Elements from the network are checked (canonical, in the group, not the identity) and bad
/// ones make the <c>Try</c> methods return false.
/// </summary>
public static class Oprf
{
    public const int ElementSize = Ristretto255.ElementSize;
    public const int ScalarSize = Ristretto255.ScalarSize;
    public const int ProofSize = 2 * Ristretto255.ScalarSize;
    public const int OutputSize = 64;

    /// <summary>Largest batch one BlindEvaluate accepts (bounds the server's work per request).</summary>
    public const int MaxBatch = 1024;

    private static readonly byte[] FinalizeLabel = Encoding.ASCII.GetBytes("Finalize");
    private static readonly byte[] ChallengeLabel = Encoding.ASCII.GetBytes("Challenge");
    private static readonly byte[] CompositeLabel = Encoding.ASCII.GetBytes("Composite");

    /// <summary>Proof size for a mode: 64 bytes in modes 1 and 2, none in mode 0.</summary>
    public static int ProofSizeFor(OprfMode mode) => OprfSuite.For(mode).Mode == OprfMode.Oprf ? 0 : ProofSize;

    /// <summary>Blind: a fresh random blind r and r·HashToGroup(input). Throws on the (negligible) identity input.</summary>
    public static OprfBlind Blind(OprfMode mode, ReadOnlySpan<byte> input)
    {
        OprfSuite suite = OprfSuite.For(mode);
        Sodium.EnsureInitialized();
        var blind = new SecretBuffer(ScalarSize);
        Ristretto255.RandomScalar(blind.Span);
        byte[] blinded = new byte[ElementSize];
        if (!BlindCore(suite, input, blind.Span, blinded))
        {
            blind.Dispose();
            ProtocolThrow.Argument(nameof(input), "The input hashes to the identity element (RFC 9497 InvalidInputError).");
        }

        return new OprfBlind(blind, blinded);
    }

    /// <summary>Blind with a given blind scalar (test vectors).</summary>
    internal static OprfBlind BlindWith(OprfMode mode, ReadOnlySpan<byte> input, ReadOnlySpan<byte> blind)
    {
        OprfSuite suite = OprfSuite.For(mode);
        Sodium.EnsureInitialized();
        byte[] blinded = new byte[ElementSize];
        bool ok = BlindCore(suite, input, blind, blinded);
        Debug.Assert(ok);
        return new OprfBlind(SecretBuffer.CopyFrom(blind), blinded);
    }

    internal static bool BlindCore(OprfSuite suite, ReadOnlySpan<byte> input, ReadOnlySpan<byte> blind, Span<byte> blindedElement)
    {
        Span<byte> inputElement = stackalloc byte[ElementSize];
        return suite.TryHashToGroup(input, inputElement) && Ristretto255.TryMultiply(blind, inputElement, blindedElement);
    }

    /// <summary>
    /// BlindEvaluate for a batch of m concatenated blinded elements: writes the m evaluated
    /// elements and, in modes 1 and 2, one proof (<see cref="ProofSizeFor"/> bytes). False if any
    /// element is not a valid non-identity group element.
    /// </summary>
    public static bool TryBlindEvaluate(OprfPrivateKey key, ReadOnlySpan<byte> blindedElements, Span<byte> evaluatedElements, Span<byte> proof) =>
        TryBlindEvaluate(key, [], blindedElements, evaluatedElements, proof);

    /// <summary>BlindEvaluate with the public <paramref name="info"/> of POPRF (mode 2); other modes take empty info.</summary>
    public static bool TryBlindEvaluate(OprfPrivateKey key, ReadOnlySpan<byte> info, ReadOnlySpan<byte> blindedElements, Span<byte> evaluatedElements, Span<byte> proof)
    {
        ArgumentNullException.ThrowIfNull(key);
        ValidateInfo(key.Mode, info);
        if (evaluatedElements.Length != blindedElements.Length)
        {
            ProtocolThrow.ArgumentLength(nameof(evaluatedElements), evaluatedElements.Length, blindedElements.Length);
        }

        if (proof.Length != ProofSizeFor(key.Mode))
        {
            ProtocolThrow.ArgumentLength(nameof(proof), proof.Length, ProofSizeFor(key.Mode));
        }

        // The proof reads every blinded element after all evaluations are written.
        if (evaluatedElements.Overlaps(blindedElements) || proof.Overlaps(blindedElements) || proof.Overlaps(evaluatedElements))
        {
            ProtocolThrow.Overlap(nameof(evaluatedElements));
        }

        if (!IsBatch(blindedElements))
        {
            return false;
        }

        Span<byte> r = stackalloc byte[ScalarSize];
        Ristretto255.RandomScalar(r);
        try
        {
            return BlindEvaluateCore(key, info, blindedElements, evaluatedElements, proof, r);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(r);
        }
    }

    /// <summary>BlindEvaluate with given proof randomness (test vectors use it).</summary>
    internal static bool BlindEvaluateCore(OprfPrivateKey key, ReadOnlySpan<byte> info, ReadOnlySpan<byte> blindedElements, Span<byte> evaluatedElements, Span<byte> proof, ReadOnlySpan<byte> proofRandomness)
    {
        Debug.Assert(blindedElements.Length % ElementSize == 0 && evaluatedElements.Length == blindedElements.Length);
        OprfSuite suite = OprfSuite.For(key.Mode);
        Span<byte> tweak = stackalloc byte[ScalarSize];
        Span<byte> tweakedKey = stackalloc byte[ElementSize];
        try
        {
            // Modes 0 and 1 multiply by skS; mode 2 by t^-1 with t = skS + HashToScalar(framedInfo).
            if (key.Mode == OprfMode.Poprf)
            {
                Span<byte> t = stackalloc byte[ScalarSize];
                bool tweaked = TryTweak(suite, key.Scalar, info, t) && Ristretto255.TryInvert(t, tweak) && Ristretto255.TryMultiplyBase(t, tweakedKey);
                if (!tweaked)
                {
                    CryptographicOperations.ZeroMemory(t);
                    return false;
                }

                bool evaluated = MultiplyAll(tweak, blindedElements, evaluatedElements)
                    && GenerateProofCore(suite, t, tweakedKey, evaluatedElements, blindedElements, proofRandomness, proof);
                CryptographicOperations.ZeroMemory(t);
                if (!evaluated)
                {
                    evaluatedElements.Clear();
                }

                return evaluated;
            }

            if (!MultiplyAll(key.Scalar, blindedElements, evaluatedElements)
                || (key.Mode == OprfMode.Voprf && !GenerateProofCore(suite, key.Scalar, key.PublicKey, blindedElements, evaluatedElements, proofRandomness, proof)))
            {
                evaluatedElements.Clear();
                return false;
            }

            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(tweak);
        }
    }

    /// <summary>
    /// Finalize for one input: in modes 1 and 2 first verifies the proof against
    /// <paramref name="serverPublicKey"/>; false if the proof or element does not check out.
    /// </summary>
    public static bool TryFinalize(OprfMode mode, ReadOnlySpan<byte> serverPublicKey, ReadOnlySpan<byte> input, OprfBlind blind, ReadOnlySpan<byte> evaluatedElement, ReadOnlySpan<byte> proof, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(blind);
        return TryFinalizeBatch(mode, serverPublicKey, [], [input.ToArray()], [blind], evaluatedElement, proof, output);
    }

    /// <summary>Finalize for a batch answered with one proof; <paramref name="outputs"/> holds m × 64 bytes.</summary>
    public static bool TryFinalizeBatch(OprfMode mode, ReadOnlySpan<byte> serverPublicKey, IReadOnlyList<ReadOnlyMemory<byte>> inputs, IReadOnlyList<OprfBlind> blinds,
        ReadOnlySpan<byte> evaluatedElements, ReadOnlySpan<byte> proof, Span<byte> outputs) =>
        TryFinalizeBatch(mode, serverPublicKey, [], inputs, blinds, evaluatedElements, proof, outputs);

    /// <summary>Finalize for a batch with POPRF's public <paramref name="info"/> (mode 2; empty for the other modes).</summary>
    public static bool TryFinalizeBatch(OprfMode mode, ReadOnlySpan<byte> serverPublicKey, ReadOnlySpan<byte> info, IReadOnlyList<ReadOnlyMemory<byte>> inputs, IReadOnlyList<OprfBlind> blinds,
        ReadOnlySpan<byte> evaluatedElements, ReadOnlySpan<byte> proof, Span<byte> outputs)
    {
        OprfSuite suite = OprfSuite.For(mode);
        ValidateInfo(mode, info);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(blinds);
        int m = inputs.Count;
        if (blinds.Count != m || m is 0 or > MaxBatch)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(blinds), blinds.Count, $"one blind per input, 1..{MaxBatch} (found {m} inputs)");
        }

        if (outputs.Length != m * OutputSize)
        {
            ProtocolThrow.ArgumentLength(nameof(outputs), outputs.Length, m * OutputSize);
        }

        if (outputs.Overlaps(evaluatedElements) || outputs.Overlaps(proof))
        {
            ProtocolThrow.Overlap(nameof(outputs));
        }

        if (mode != OprfMode.Oprf && serverPublicKey.Length != ElementSize)
        {
            ProtocolThrow.ArgumentLength(nameof(serverPublicKey), serverPublicKey.Length, ElementSize);
        }

        Sodium.EnsureInitialized();
        if (evaluatedElements.Length != m * ElementSize || proof.Length != ProofSizeFor(mode))
        {
            return false;
        }

        if (mode != OprfMode.Oprf)
        {
            byte[] blindedElements = new byte[m * ElementSize];
            for (int i = 0; i < m; i++)
            {
                blinds[i].BlindedElement.CopyTo(blindedElements.AsSpan(i * ElementSize));
            }

            if (!IsBatch(evaluatedElements) || !Ristretto255.IsValidElement(serverPublicKey))
            {
                return false;
            }

            bool verified;
            if (mode == OprfMode.Voprf)
            {
                verified = VerifyProofCore(suite, serverPublicKey, blindedElements, evaluatedElements, proof);
            }
            else
            {
                // POPRF: the proof is for the tweaked key T = HashToScalar(framedInfo)·G + pkS, with C and D swapped.
                Span<byte> tweakedKey = stackalloc byte[ElementSize];
                verified = TryTweakedPublicKey(suite, serverPublicKey, info, tweakedKey)
                    && VerifyProofCore(suite, tweakedKey, evaluatedElements, blindedElements, proof);
            }

            if (!verified)
            {
                return false;
            }
        }

        Span<byte> inverse = stackalloc byte[ScalarSize];
        Span<byte> unblinded = stackalloc byte[ElementSize];
        try
        {
            for (int i = 0; i < m; i++)
            {
                ReadOnlySpan<byte> evaluated = evaluatedElements.Slice(i * ElementSize, ElementSize);
                if (!Ristretto255.IsValidElement(evaluated)
                    || !Ristretto255.TryInvert(blinds[i].Scalar, inverse)
                    || !Ristretto255.TryMultiply(inverse, evaluated, unblinded))
                {
                    outputs.Clear();
                    return false;
                }

                HashOutput(mode, inputs[i].Span, info, unblinded, outputs.Slice(i * OutputSize, OutputSize));
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(inverse);
            CryptographicOperations.ZeroMemory(unblinded);
        }

        return true;
    }

    /// <summary>Evaluate: the server computes the PRF on an input directly (how a spent token is checked).</summary>
    public static bool TryEvaluate(OprfPrivateKey key, ReadOnlySpan<byte> input, Span<byte> output) => TryEvaluate(key, input, [], output);

    /// <summary>Evaluate with POPRF's public <paramref name="info"/> (mode 2; empty for the other modes).</summary>
    public static bool TryEvaluate(OprfPrivateKey key, ReadOnlySpan<byte> input, ReadOnlySpan<byte> info, Span<byte> output)
    {
        ArgumentNullException.ThrowIfNull(key);
        ValidateInfo(key.Mode, info);
        if (output.Length != OutputSize)
        {
            ProtocolThrow.ArgumentLength(nameof(output), output.Length, OutputSize);
        }

        OprfSuite suite = OprfSuite.For(key.Mode);
        Span<byte> element = stackalloc byte[ElementSize];
        Span<byte> evaluated = stackalloc byte[ElementSize];
        Span<byte> multiplier = stackalloc byte[ScalarSize];
        try
        {
            key.Scalar.CopyTo(multiplier);
            if (key.Mode == OprfMode.Poprf)
            {
                Span<byte> t = stackalloc byte[ScalarSize];
                bool tweaked = TryTweak(suite, key.Scalar, info, t) && Ristretto255.TryInvert(t, multiplier);
                CryptographicOperations.ZeroMemory(t);
                if (!tweaked)
                {
                    output.Clear();
                    return false;
                }
            }

            if (!suite.TryHashToGroup(input, element) || !Ristretto255.TryMultiply(multiplier, element, evaluated))
            {
                output.Clear();
                return false;
            }

            HashOutput(key.Mode, input, info, evaluated, output);
            return true;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(multiplier);
            CryptographicOperations.ZeroMemory(evaluated);
        }
    }

    /// <summary>
    /// Hash(I2OSP(len(input), 2) ‖ input ‖ [I2OSP(len(info), 2) ‖ info, mode 2 only] ‖ I2OSP(32, 2) ‖ element ‖ "Finalize").
    /// </summary>
    private static void HashOutput(OprfMode mode, ReadOnlySpan<byte> input, ReadOnlySpan<byte> info, ReadOnlySpan<byte> element, Span<byte> output)
    {
        if (input.Length > ushort.MaxValue)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(input), input.Length, ushort.MaxValue);
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512);
        AppendPrefixed(hash, input);
        if (mode == OprfMode.Poprf)
        {
            AppendPrefixed(hash, info);
        }

        AppendPrefixed(hash, element);
        hash.AppendData(FinalizeLabel);
        hash.GetHashAndReset(output);
    }

    private static void ValidateInfo(OprfMode mode, ReadOnlySpan<byte> info)
    {
        if (mode != OprfMode.Poprf && !info.IsEmpty)
        {
            ProtocolThrow.Argument(nameof(info), $"Only POPRF (mode 2) takes info; found {info.Length} bytes for mode {(int)mode}.");
        }

        if (info.Length > ushort.MaxValue)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(info), info.Length, ushort.MaxValue);
        }
    }

    /// <summary>m = HashToScalar("Info" ‖ I2OSP(len(info), 2) ‖ info).</summary>
    private static void InfoScalar(OprfSuite suite, ReadOnlySpan<byte> info, Span<byte> m)
    {
        byte[] framed = [.. "Info"u8, (byte)(info.Length >> 8), (byte)info.Length, .. info];
        OprfSuite.HashToScalar(framed, suite.HashToScalarDst, m);
    }

    /// <summary>t = skS + m; false if t = 0 (RFC 9497 InverseError).</summary>
    private static bool TryTweak(OprfSuite suite, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> info, Span<byte> t)
    {
        Span<byte> m = stackalloc byte[ScalarSize];
        InfoScalar(suite, info, m);
        Ristretto255.Add(secret, m, t);
        return !Ristretto255.IsZero(t);
    }

    /// <summary>tweakedKey = m·G + pkS; false if it is the identity (RFC 9497 InvalidInputError).</summary>
    private static bool TryTweakedPublicKey(OprfSuite suite, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> info, Span<byte> tweakedKey)
    {
        Span<byte> m = stackalloc byte[ScalarSize];
        Span<byte> mG = stackalloc byte[ElementSize];
        InfoScalar(suite, info, m);
        return Ristretto255.TryMultiplyBase(m, mG) && Ristretto255.TryAdd(mG, publicKey, tweakedKey) && !Ristretto255.IsZero(tweakedKey);
    }

    private static bool MultiplyAll(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> elements, Span<byte> products)
    {
        for (int offset = 0; offset < elements.Length; offset += ElementSize)
        {
            ReadOnlySpan<byte> c = elements.Slice(offset, ElementSize);
            if (!Ristretto255.IsValidElement(c) || !Ristretto255.TryMultiply(scalar, c, products.Slice(offset, ElementSize)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>GenerateProof(k, A = G, B = pkS, C, D) with ComputeCompositesFast (Z = k·M).</summary>
    private static bool GenerateProofCore(OprfSuite suite, ReadOnlySpan<byte> k, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d, ReadOnlySpan<byte> r, Span<byte> proof)
    {
        Span<byte> m = stackalloc byte[ElementSize];
        Span<byte> z = stackalloc byte[ElementSize];
        Span<byte> t2 = stackalloc byte[ElementSize];
        Span<byte> t3 = stackalloc byte[ElementSize];
        if (!ComputeComposite(suite, publicKey, c, d, m, z: default)
            || !Ristretto255.TryMultiply(k, m, z)
            || !Ristretto255.TryMultiplyBase(r, t2)
            || !Ristretto255.TryMultiply(r, m, t3))
        {
            return false;
        }

        Span<byte> challenge = proof[..ScalarSize];
        Challenge(suite, publicKey, m, z, t2, t3, challenge);
        Span<byte> ck = stackalloc byte[ScalarSize];
        Ristretto255.Multiply(challenge, k, ck);
        Ristretto255.Subtract(r, ck, proof[ScalarSize..]);
        CryptographicOperations.ZeroMemory(ck);
        return true;
    }

    /// <summary>VerifyProof(A = G, B = pkS, C, D, proof) with ComputeComposites.</summary>
    private static bool VerifyProofCore(OprfSuite suite, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d, ReadOnlySpan<byte> proof)
    {
        ReadOnlySpan<byte> challenge = proof[..ScalarSize];
        ReadOnlySpan<byte> response = proof[ScalarSize..];
        if (!Ristretto255.IsValidElement(publicKey) || !Ristretto255.IsCanonicalScalar(challenge) || !Ristretto255.IsCanonicalScalar(response))
        {
            return false;
        }

        Span<byte> m = stackalloc byte[ElementSize];
        Span<byte> z = stackalloc byte[ElementSize];
        Span<byte> t2 = stackalloc byte[ElementSize];
        Span<byte> t3 = stackalloc byte[ElementSize];
        Span<byte> term = stackalloc byte[ElementSize];
        Span<byte> term2 = stackalloc byte[ElementSize];
        if (!ComputeComposite(suite, publicKey, c, d, m, z)
            // t2 = s·G + c·pkS
            || !Ristretto255.TryMultiplyBase(response, term)
            || !Ristretto255.TryMultiply(challenge, publicKey, term2)
            || !Ristretto255.TryAdd(term, term2, t2)
            // t3 = s·M + c·Z
            || !Ristretto255.TryMultiply(response, m, term)
            || !Ristretto255.TryMultiply(challenge, z, term2)
            || !Ristretto255.TryAdd(term, term2, t3))
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[ScalarSize];
        Challenge(suite, publicKey, m, z, t2, t3, expected);
        return CryptographicOperations.FixedTimeEquals(expected, challenge);
    }

    /// <summary>
    /// ComputeComposites: M = Σ d_i·C_i and, when <paramref name="z"/> is not empty, Z = Σ d_i·D_i,
    /// with d_i = HashToScalar(seed ‖ i ‖ C_i ‖ D_i ‖ "Composite") and seed = Hash(pkS ‖ "Seed-" ‖ context).
    /// </summary>
    private static bool ComputeComposite(OprfSuite suite, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> c, ReadOnlySpan<byte> d, Span<byte> m, Span<byte> z)
    {
        Span<byte> seed = stackalloc byte[64];
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA512))
        {
            AppendPrefixed(hash, publicKey);
            AppendPrefixed(hash, suite.SeedDst);
            hash.GetHashAndReset(seed);
        }

        // I2OSP(64, 2) ‖ seed ‖ I2OSP(i, 2) ‖ I2OSP(32, 2) ‖ C_i ‖ I2OSP(32, 2) ‖ D_i ‖ "Composite"
        Span<byte> transcript = stackalloc byte[2 + 64 + 2 + 2 + ElementSize + 2 + ElementSize + 9];
        BinaryPrimitives.WriteUInt16BigEndian(transcript, 64);
        seed.CopyTo(transcript[2..]);
        BinaryPrimitives.WriteUInt16BigEndian(transcript[68..], ElementSize);
        BinaryPrimitives.WriteUInt16BigEndian(transcript[(70 + ElementSize)..], ElementSize);
        CompositeLabel.CopyTo(transcript[(72 + (2 * ElementSize))..]);

        Span<byte> di = stackalloc byte[ScalarSize];
        Span<byte> term = stackalloc byte[ElementSize];
        Span<byte> sum = stackalloc byte[ElementSize];
        int count = c.Length / ElementSize;
        for (int i = 0; i < count; i++)
        {
            ReadOnlySpan<byte> ci = c.Slice(i * ElementSize, ElementSize);
            ReadOnlySpan<byte> dElement = d.Slice(i * ElementSize, ElementSize);
            BinaryPrimitives.WriteUInt16BigEndian(transcript[66..], (ushort)i);
            ci.CopyTo(transcript[70..]);
            dElement.CopyTo(transcript[(72 + ElementSize)..]);
            OprfSuite.HashToScalar(transcript, suite.HashToScalarDst, di);

            // Start from the first term rather than the identity, which libsodium's multiplication refuses to produce.
            if (!Accumulate(di, ci, m, term, sum, first: i == 0) || (!z.IsEmpty && !Accumulate(di, dElement, z, term, sum, first: i == 0)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Accumulate(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> element, Span<byte> accumulator, Span<byte> term, Span<byte> sum, bool first)
    {
        if (first)
        {
            return Ristretto255.TryMultiply(scalar, element, accumulator);
        }

        if (!Ristretto255.TryMultiply(scalar, element, term) || !Ristretto255.TryAdd(term, accumulator, sum))
        {
            return false;
        }

        sum.CopyTo(accumulator);
        return true;
    }

    /// <summary>c = HashToScalar(pkS ‖ M ‖ Z ‖ t2 ‖ t3 ‖ "Challenge"), each element length-prefixed.</summary>
    private static void Challenge(OprfSuite suite, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> m, ReadOnlySpan<byte> z, ReadOnlySpan<byte> t2, ReadOnlySpan<byte> t3, Span<byte> challenge)
    {
        Span<byte> transcript = stackalloc byte[(5 * (2 + ElementSize)) + 9];
        int offset = 0;
        offset = WritePrefixed(transcript, offset, publicKey);
        offset = WritePrefixed(transcript, offset, m);
        offset = WritePrefixed(transcript, offset, z);
        offset = WritePrefixed(transcript, offset, t2);
        offset = WritePrefixed(transcript, offset, t3);
        ChallengeLabel.CopyTo(transcript[offset..]);
        OprfSuite.HashToScalar(transcript, suite.HashToScalarDst, challenge);
    }

    private static int WritePrefixed(Span<byte> destination, int offset, ReadOnlySpan<byte> data)
    {
        BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], (ushort)data.Length);
        data.CopyTo(destination[(offset + 2)..]);
        return offset + 2 + data.Length;
    }

    private static void AppendPrefixed(IncrementalHash hash, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16BigEndian(length, (ushort)data.Length);
        hash.AppendData(length);
        hash.AppendData(data);
    }

    private static bool IsBatch(ReadOnlySpan<byte> elements) =>
        elements.Length > 0 && elements.Length % ElementSize == 0 && elements.Length / ElementSize <= MaxBatch;
}
