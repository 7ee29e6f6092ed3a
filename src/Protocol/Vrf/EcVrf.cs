using System.Buffers;
using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Privomega.Protocol.Interop;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Vrf;

/// <summary>
/// ECVRF-EDWARDS25519-SHA512 (RFC 9381) in both suites, TAI and ELL2, keyed by an Ed25519 key pair.
/// Scalar and point arithmetic runs in libsodium's core functions; hashing to the curve, strict
/// decoding of candidate points and cofactor clearing run in <see cref="EdwardsPoint"/>, because
/// libsodium's noclamp multiplication refuses points outside the prime-order subgroup.
/// Verification always validates the key (<see cref="Ed25519PublicKey"/> rejects small-order,
/// non-canonical and off-subgroup keys), as RFC 9381 section 5.3 allows with validate_key = TRUE.
/// </summary>
[SkipLocalsInit]
public static class EcVrf
{
    /// <summary>The proof size: Gamma (32) ‖ c (16) ‖ s (32).</summary>
    public const int ProofSize = PointSize + ChallengeSize + ScalarSize;

    /// <summary>The VRF output (beta) size: one SHA-512 digest.</summary>
    public const int OutputSize = 64;

    private const int PointSize = 32;
    private const int ScalarSize = 32;
    private const int ChallengeSize = 16;
    private const int StackAlphaLimit = 512;

    private static ReadOnlySpan<byte> Ell2Dst => "ECVRF_edwards25519_XMD:SHA-512_ELL2_NU_\u0004"u8;

    /// <summary>Computes the proof pi for <paramref name="alpha"/> under <paramref name="keyPair"/>.</summary>
    public static void Prove(EcVrfSuite suite, Ed25519KeyPair keyPair, ReadOnlySpan<byte> alpha, Span<byte> proof)
    {
        ValidateSuite(suite);
        ArgumentNullException.ThrowIfNull(keyPair);
        if (proof.Length != ProofSize)
        {
            ProtocolThrow.ArgumentLength(nameof(proof), proof.Length, ProofSize);
        }

        ProveCore(suite, keyPair, alpha, proof, trace: null);
    }

    /// <summary>Computes the proof pi and the prover's own VRF output beta (= ECVRF_proof_to_hash(pi)).</summary>
    public static void Prove(EcVrfSuite suite, Ed25519KeyPair keyPair, ReadOnlySpan<byte> alpha, Span<byte> proof, Span<byte> beta)
    {
        if (beta.Length != OutputSize)
        {
            ProtocolThrow.ArgumentLength(nameof(beta), beta.Length, OutputSize);
        }

        if (beta.Overlaps(proof))
        {
            ProtocolThrow.Overlap(nameof(beta));
        }

        Prove(suite, keyPair, alpha, proof);
        bool decoded = ProofToHashCore(suite, proof[..PointSize], beta);
        Debug.Assert(decoded, "a proof this code produced always decodes");
    }

    /// <summary>Computes and returns the 80-byte proof pi for <paramref name="alpha"/>.</summary>
    public static byte[] Prove(EcVrfSuite suite, Ed25519KeyPair keyPair, ReadOnlySpan<byte> alpha)
    {
        byte[] proof = new byte[ProofSize];
        Prove(suite, keyPair, alpha, proof);
        return proof;
    }

    /// <summary>
    /// Verifies <paramref name="proof"/> for <paramref name="alpha"/> under <paramref name="publicKey"/>
    /// and on success writes the 64-byte VRF output beta. False for any proof that does not verify
    /// (wrong length, non-canonical or invalid Gamma, s ≥ L, wrong challenge); beta is then zeroed.
    /// </summary>
    public static bool Verify(EcVrfSuite suite, Ed25519PublicKey publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, Span<byte> beta)
    {
        ValidateSuite(suite);
        ArgumentNullException.ThrowIfNull(publicKey);
        if (beta.Length != OutputSize)
        {
            ProtocolThrow.ArgumentLength(nameof(beta), beta.Length, OutputSize);
        }

        if (VerifyCore(suite, publicKey.Bytes, alpha, proof, trace: null) && ProofToHashCore(suite, proof[..PointSize], beta))
        {
            return true;
        }

        beta.Clear();
        return false;
    }

    /// <summary>Verifies <paramref name="proof"/> and returns beta on success.</summary>
    public static bool Verify(EcVrfSuite suite, Ed25519PublicKey publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, [NotNullWhen(true)] out byte[]? beta)
    {
        byte[] output = new byte[OutputSize];
        beta = Verify(suite, publicKey, alpha, proof, output) ? output : null;
        return beta is not null;
    }

    /// <summary>Verifies against an encoded public key from untrusted input; false if the key itself is invalid.</summary>
    public static bool Verify(EcVrfSuite suite, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, Span<byte> beta)
    {
        if (!Ed25519PublicKey.TryImport(publicKey, out Ed25519PublicKey? key))
        {
            ValidateSuite(suite);
            if (beta.Length != OutputSize)
            {
                ProtocolThrow.ArgumentLength(nameof(beta), beta.Length, OutputSize);
            }

            beta.Clear();
            return false;
        }

        return Verify(suite, key, alpha, proof, beta);
    }

    /// <summary>
    /// ECVRF_proof_to_hash: beta from a proof without verifying it (RFC 9381 section 5.2). Use only
    /// on proofs that were verified or that one produced oneself. False if the proof does not decode.
    /// </summary>
    public static bool TryProofToHash(EcVrfSuite suite, ReadOnlySpan<byte> proof, Span<byte> beta)
    {
        ValidateSuite(suite);
        if (beta.Length != OutputSize)
        {
            ProtocolThrow.ArgumentLength(nameof(beta), beta.Length, OutputSize);
        }

        if (proof.Length == ProofSize && Scalar25519.IsCanonical(proof[(PointSize + ChallengeSize)..])
            && ProofToHashCore(suite, proof[..PointSize], beta))
        {
            return true;
        }

        beta.Clear();
        return false;
    }

    private static void ValidateSuite(EcVrfSuite suite)
    {
        if (suite is not EcVrfSuite.Edwards25519Sha512Tai and not EcVrfSuite.Edwards25519Sha512Ell2)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(suite), (long)suite, "0x03 (TAI) or 0x04 (ELL2)");
        }
    }

    internal static unsafe void ProveCore(EcVrfSuite suite, Ed25519KeyPair keyPair, ReadOnlySpan<byte> alpha, Span<byte> proof, EcVrfTrace? trace)
    {
        Debug.Assert(proof.Length == ProofSize);
        Sodium.EnsureInitialized();
        ReadOnlySpan<byte> publicKey = keyPair.PublicKey.Bytes;

        Span<byte> secrets = stackalloc byte[64 + 64 + 64 + 32 + 32];
        try
        {
            Span<byte> hashedSecretKey = secrets[..64];
            Span<byte> kString = secrets.Slice(64, 64);
            Span<byte> wide = secrets.Slice(128, 64);
            Span<byte> x = secrets.Slice(192, 32);
            Span<byte> k = secrets.Slice(224, 32);

            // RFC 8032 section 5.1.5: x is the clamped first half of SHA-512(seed); the second half
            // seeds the nonce (RFC 9381 section 5.4.2.2).
            // The seed goes through k_string's slot, which is overwritten below and zeroed with the rest.
            keyPair.Export(kString[..Ed25519KeyPair.SeedSize]);
            SHA512.HashData(kString[..Ed25519KeyPair.SeedSize], hashedSecretKey);
            kString[..Ed25519KeyPair.SeedSize].Clear();

            hashedSecretKey[..32].CopyTo(x);
            x[0] &= 248;
            x[31] &= 127;
            x[31] |= 64;

            Span<byte> h = stackalloc byte[PointSize];
            if (!TryEncodeToCurve(suite, publicKey, alpha, h, out int counter))
            {
                ProtocolThrow.Cryptographic("ECVRF hash to curve");
            }

            Span<byte> gamma = proof[..PointSize];
            Span<byte> u = stackalloc byte[PointSize];
            Span<byte> v = stackalloc byte[PointSize];

            // k_string = SHA-512(second half of SHA-512(seed) ‖ h_string).
            hashedSecretKey[32..].CopyTo(wide);
            h.CopyTo(wide[32..]);
            SHA512.HashData(wide, kString);

            fixed (byte* pGamma = gamma)
            fixed (byte* pX = x)
            fixed (byte* pH = h)
            fixed (byte* pK = k)
            fixed (byte* pKString = kString)
            fixed (byte* pU = u)
            fixed (byte* pV = v)
            {
                Libsodium.crypto_core_ed25519_scalar_reduce(pK, pKString);
                if (Libsodium.crypto_scalarmult_ed25519_noclamp(pGamma, pX, pH) != 0
                    || Libsodium.crypto_scalarmult_ed25519_base_noclamp(pU, pK) != 0
                    || Libsodium.crypto_scalarmult_ed25519_noclamp(pV, pK, pH) != 0)
                {
                    // Only reachable with probability ~2^-252 (k = 0) for a valid H.
                    ProtocolThrow.Cryptographic("ECVRF proving");
                }
            }

            Span<byte> c = proof.Slice(PointSize, ChallengeSize);
            ChallengeGeneration(suite, publicKey, h, gamma, u, v, c);

            // s = (k + c·x) mod L, with x reduced first so libsodium's scalar_mul sees inputs below L.
            Span<byte> s = proof[(PointSize + ChallengeSize)..];
            wide.Clear();
            x.CopyTo(wide);
            Span<byte> c32 = stackalloc byte[ScalarSize];
            c32.Clear();
            c.CopyTo(c32);
            fixed (byte* pWide = wide)
            fixed (byte* pX = x)
            fixed (byte* pC = c32)
            fixed (byte* pK = k)
            fixed (byte* pS = s)
            {
                Libsodium.crypto_core_ed25519_scalar_reduce(pX, pWide);
                Libsodium.crypto_core_ed25519_scalar_mul(pX, pC, pX);
                Libsodium.crypto_core_ed25519_scalar_add(pS, pK, pX);
            }

            if (trace is not null)
            {
                trace.H = h.ToArray();
                trace.KString = kString.ToArray();
                trace.K = k.ToArray();
                trace.U = u.ToArray();
                trace.V = v.ToArray();
                trace.Counter = counter;
            }
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secrets);
        }
    }

    internal static unsafe bool VerifyCore(EcVrfSuite suite, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, ReadOnlySpan<byte> proof, EcVrfTrace? trace)
    {
        Debug.Assert(publicKey.Length == PointSize);
        if (proof.Length != ProofSize)
        {
            return false;
        }

        ReadOnlySpan<byte> gamma = proof[..PointSize];
        ReadOnlySpan<byte> c = proof.Slice(PointSize, ChallengeSize);
        ReadOnlySpan<byte> s = proof[(PointSize + ChallengeSize)..];

        // Strict decoding of Gamma (canonical y, on the curve, not x = 0 with the sign bit) is done by
        // libsodium's noclamp multiplication below, which also refuses small-order and off-subgroup points.
        if (!Scalar25519.IsCanonical(s))
        {
            return false;
        }

        Sodium.EnsureInitialized();
        Span<byte> h = stackalloc byte[PointSize];
        if (!TryEncodeToCurve(suite, publicKey, alpha, h, out int counter))
        {
            return false;
        }

        Span<byte> c32 = stackalloc byte[ScalarSize];
        c32.Clear();
        c.CopyTo(c32);
        Span<byte> scratch = stackalloc byte[4 * PointSize];
        Span<byte> u = stackalloc byte[PointSize];
        Span<byte> v = stackalloc byte[PointSize];
        fixed (byte* pScratch = scratch)
        fixed (byte* pC = c32)
        fixed (byte* pS = s)
        fixed (byte* pY = publicKey)
        fixed (byte* pH = h)
        fixed (byte* pGamma = gamma)
        fixed (byte* pU = u)
        fixed (byte* pV = v)
        {
            byte* sB = pScratch;
            byte* cY = pScratch + PointSize;
            byte* sH = pScratch + (2 * PointSize);
            byte* cGamma = pScratch + (3 * PointSize);

            // U = s·B − c·Y, V = s·H − c·Gamma. libsodium fails for s = 0 or c = 0 (both 2^-128 events
            // or worse for honest proofs), which this treats as "does not verify".
            if (Libsodium.crypto_scalarmult_ed25519_noclamp(cGamma, pC, pGamma) != 0
                || Libsodium.crypto_scalarmult_ed25519_base_noclamp(sB, pS) != 0
                || Libsodium.crypto_scalarmult_ed25519_noclamp(cY, pC, pY) != 0
                || Libsodium.crypto_scalarmult_ed25519_noclamp(sH, pS, pH) != 0
                || Libsodium.crypto_core_ed25519_sub(pU, sB, cY) != 0
                || Libsodium.crypto_core_ed25519_sub(pV, sH, cGamma) != 0)
            {
                return false;
            }
        }

        Span<byte> expected = stackalloc byte[ChallengeSize];
        ChallengeGeneration(suite, publicKey, h, gamma, u, v, expected);
        if (trace is not null)
        {
            trace.H = h.ToArray();
            trace.U = u.ToArray();
            trace.V = v.ToArray();
            trace.Counter = counter;
        }

        return CryptographicOperations.FixedTimeEquals(expected, c);
    }

    /// <summary>beta = SHA-512(suite ‖ 0x03 ‖ point_to_string(8·Gamma) ‖ 0x00), Gamma decoded strictly.</summary>
    private static bool ProofToHashCore(EcVrfSuite suite, ReadOnlySpan<byte> gamma, Span<byte> beta)
    {
        if (!EdwardsPoint.TryDecode(gamma, out EdwardsPoint point))
        {
            return false;
        }

        Span<byte> input = stackalloc byte[2 + PointSize + 1];
        input[0] = (byte)suite;
        input[1] = 0x03;
        point.MultiplyByCofactor().Encode(input[2..]);
        input[^1] = 0x00;
        SHA512.HashData(input, beta);
        return true;
    }

    /// <summary>c = first 16 bytes of SHA-512(suite ‖ 0x02 ‖ Y ‖ H ‖ Gamma ‖ U ‖ V ‖ 0x00) (RFC 9381 section 5.4.3).</summary>
    private static void ChallengeGeneration(EcVrfSuite suite, ReadOnlySpan<byte> y, ReadOnlySpan<byte> h, ReadOnlySpan<byte> gamma, ReadOnlySpan<byte> u, ReadOnlySpan<byte> v, Span<byte> c)
    {
        Span<byte> input = stackalloc byte[2 + (5 * PointSize) + 1];
        input[0] = (byte)suite;
        input[1] = 0x02;
        y.CopyTo(input[2..]);
        h.CopyTo(input[(2 + PointSize)..]);
        gamma.CopyTo(input[(2 + (2 * PointSize))..]);
        u.CopyTo(input[(2 + (3 * PointSize))..]);
        v.CopyTo(input[(2 + (4 * PointSize))..]);
        input[^1] = 0x00;
        Span<byte> digest = stackalloc byte[64];
        SHA512.HashData(input, digest);
        digest[..ChallengeSize].CopyTo(c);
    }

    /// <summary>
    /// ECVRF_encode_to_curve with encode_to_curve_salt = PK_string: try-and-increment (section
    /// 5.4.1.1) or RFC 9380 ELL2 (section 5.4.1.2). <paramref name="counter"/> is the TAI ctr that
    /// succeeded (0 for ELL2). False only if no TAI counter up to 255 gives a point or ELL2 lands on
    /// a small-order point — events of negligible probability.
    /// </summary>
    internal static bool TryEncodeToCurve(EcVrfSuite suite, ReadOnlySpan<byte> publicKey, ReadOnlySpan<byte> alpha, Span<byte> h, out int counter)
    {
        counter = 0;
        int length = suite == EcVrfSuite.Edwards25519Sha512Tai ? 2 + PointSize + alpha.Length + 2 : PointSize + alpha.Length;
        byte[]? rented = null;
        Span<byte> buffer = length <= StackAlphaLimit + 36 ? stackalloc byte[StackAlphaLimit + 36] : (rented = ArrayPool<byte>.Shared.Rent(length));
        buffer = buffer[..length];
        try
        {
            if (suite == EcVrfSuite.Edwards25519Sha512Ell2)
            {
                publicKey.CopyTo(buffer);
                alpha.CopyTo(buffer[PointSize..]);
                EdwardsPoint point = HashToCurve.EncodeToCurveEll2(buffer, Ell2Dst);
                if (point.IsIdentity)
                {
                    return false;
                }

                point.Encode(h);
                return true;
            }

            // hash_string = SHA-512(suite ‖ 0x01 ‖ PK ‖ alpha ‖ ctr ‖ 0x00); H = 8 · string_to_point(hash_string[0..32]).
            buffer[0] = (byte)suite;
            buffer[1] = 0x01;
            publicKey.CopyTo(buffer[2..]);
            alpha.CopyTo(buffer[(2 + PointSize)..]);
            buffer[^1] = 0x00;
            Span<byte> digest = stackalloc byte[64];
            for (counter = 0; counter <= byte.MaxValue; counter++)
            {
                buffer[^2] = (byte)counter;
                SHA512.HashData(buffer, digest);
                if (EdwardsPoint.TryDecode(digest[..PointSize], out EdwardsPoint candidate))
                {
                    EdwardsPoint cleared = candidate.MultiplyByCofactor();
                    if (!cleared.IsIdentity)
                    {
                        cleared.Encode(h);
                        return true;
                    }
                }
            }

            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }
}

/// <summary>Intermediate values of one prove or verify run, recorded for the RFC 9381 vector tests.</summary>
internal sealed class EcVrfTrace
{
    internal byte[] H { get; set; } = [];

    internal byte[] KString { get; set; } = [];

    internal byte[] K { get; set; } = [];

    internal byte[] U { get; set; } = [];

    internal byte[] V { get; set; } = [];

    internal int Counter { get; set; } = -1;
}
