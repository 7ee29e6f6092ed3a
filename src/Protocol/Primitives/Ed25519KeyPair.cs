using System.Diagnostics.CodeAnalysis;
using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// An Ed25519 key pair (RFC 8032). The private key is the 32-byte seed; libsodium's expanded
/// 64-byte form (seed ‖ public key) lives in a <see cref="SecretBuffer"/> that is zeroed on
/// <see cref="Dispose"/>. The same key pair serves as an ECVRF-EDWARDS25519 key (RFC 9381).
/// </summary>
public sealed class Ed25519KeyPair : IDisposable
{
    /// <summary>The size of the private key (seed) in bytes.</summary>
    public const int SeedSize = Libsodium.crypto_sign_ed25519_SEEDBYTES;

    private readonly SecretBuffer _secretKey;

    private Ed25519KeyPair(SecretBuffer secretKey, Ed25519PublicKey publicKey)
    {
        _secretKey = secretKey;
        PublicKey = publicKey;
    }

    /// <summary>The public half.</summary>
    public Ed25519PublicKey PublicKey { get; }

    /// <summary>The 32-byte seed (RFC 8032's private key). Valid until disposal; never store it.</summary>
    internal ReadOnlySpan<byte> Seed => _secretKey.Span[..SeedSize];

    /// <summary>libsodium's 64-byte secret key (seed ‖ public key).</summary>
    internal ReadOnlySpan<byte> ExpandedSecretKey => _secretKey.Span;

    /// <summary>Generates a key pair from libsodium's CSPRNG.</summary>
    public static Ed25519KeyPair Generate()
    {
        Span<byte> seed = stackalloc byte[SeedSize];
        try
        {
            Sodium.RandomBytes(seed);
            return FromSeedCore(seed);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(seed);
        }
    }

    /// <summary>Imports a 32-byte seed (the RFC 8032 private key).</summary>
    public static Ed25519KeyPair Import(ReadOnlySpan<byte> seed)
    {
        if (seed.Length != SeedSize)
        {
            ProtocolThrow.ArgumentLength(nameof(seed), seed.Length, SeedSize);
        }

        return FromSeedCore(seed);
    }

    /// <summary>Imports a seed; false if it is not 32 bytes long (every 32-byte string is a valid seed).</summary>
    public static bool TryImport(ReadOnlySpan<byte> seed, [NotNullWhen(true)] out Ed25519KeyPair? keyPair)
    {
        keyPair = seed.Length == SeedSize ? FromSeedCore(seed) : null;
        return keyPair is not null;
    }

    private static unsafe Ed25519KeyPair FromSeedCore(ReadOnlySpan<byte> seed)
    {
        Sodium.EnsureInitialized();
        var secretKey = new SecretBuffer(Libsodium.crypto_sign_ed25519_SECRETKEYBYTES);
        Span<byte> publicKey = stackalloc byte[Ed25519PublicKey.Size];
        fixed (byte* pk = publicKey)
        fixed (byte* sk = secretKey.Span)
        fixed (byte* s = seed)
        {
            if (Libsodium.crypto_sign_ed25519_seed_keypair(pk, sk, s) != 0)
            {
                secretKey.Dispose();
                ProtocolThrow.Cryptographic("Ed25519 key derivation");
            }
        }

        return new Ed25519KeyPair(secretKey, Ed25519PublicKey.FromTrusted(publicKey));
    }

    /// <summary>Writes the 32-byte seed to <paramref name="destination"/> (which the caller must protect).</summary>
    public void Export(Span<byte> destination)
    {
        if (destination.Length != SeedSize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, SeedSize);
        }

        Seed.CopyTo(destination);
    }

    /// <summary>Signs <paramref name="message"/> into the 64-byte <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (signature.Length != Ed25519.SignatureSize)
        {
            ProtocolThrow.ArgumentLength(nameof(signature), signature.Length, Ed25519.SignatureSize);
        }

        Ed25519.SignCore(_secretKey.Span, message, signature);
    }

    /// <summary>Signs <paramref name="message"/> and returns the 64-byte signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message)
    {
        byte[] signature = new byte[Ed25519.SignatureSize];
        Ed25519.SignCore(_secretKey.Span, message, signature);
        return signature;
    }

    /// <summary>Zeroes and frees the private key.</summary>
    public void Dispose() => _secretKey.Dispose();
}
