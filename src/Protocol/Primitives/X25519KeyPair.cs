using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// An X25519 key pair (RFC 7748) whose 32-byte private scalar lives in a <see cref="SecretBuffer"/>
/// zeroed on <see cref="Dispose"/>. Clamping happens inside libsodium, so any 32 bytes are a private key.
/// </summary>
public sealed class X25519KeyPair : IDisposable
{
    /// <summary>The size of the private key in bytes.</summary>
    public const int PrivateKeySize = Libsodium.crypto_scalarmult_curve25519_SCALARBYTES;

    /// <summary>The size of a shared secret in bytes.</summary>
    public const int SharedSecretSize = Libsodium.crypto_scalarmult_curve25519_BYTES;

    private readonly SecretBuffer _privateKey;

    private X25519KeyPair(SecretBuffer privateKey, X25519PublicKey publicKey)
    {
        _privateKey = privateKey;
        PublicKey = publicKey;
    }

    /// <summary>The public half.</summary>
    public X25519PublicKey PublicKey { get; }

    /// <summary>Generates a key pair from libsodium's CSPRNG.</summary>
    public static X25519KeyPair Generate()
    {
        Span<byte> secret = stackalloc byte[PrivateKeySize];
        try
        {
            Sodium.RandomBytes(secret);
            return FromPrivateKeyCore(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>Imports a 32-byte private key.</summary>
    public static X25519KeyPair Import(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(privateKey), privateKey.Length, PrivateKeySize);
        }

        return FromPrivateKeyCore(privateKey);
    }

    /// <summary>Imports a private key; false if it is not 32 bytes long.</summary>
    public static bool TryImport(ReadOnlySpan<byte> privateKey, [NotNullWhen(true)] out X25519KeyPair? keyPair)
    {
        keyPair = privateKey.Length == PrivateKeySize ? FromPrivateKeyCore(privateKey) : null;
        return keyPair is not null;
    }

    private static unsafe X25519KeyPair FromPrivateKeyCore(ReadOnlySpan<byte> privateKey)
    {
        Sodium.EnsureInitialized();
        SecretBuffer secret = SecretBuffer.CopyFrom(privateKey);
        Span<byte> publicKey = stackalloc byte[X25519PublicKey.Size];
        fixed (byte* q = publicKey)
        fixed (byte* n = secret.Span)
        {
            if (Libsodium.crypto_scalarmult_curve25519_base(q, n) != 0)
            {
                secret.Dispose();
                ProtocolThrow.Cryptographic("X25519 public key derivation");
            }
        }

        return new X25519KeyPair(secret, X25519PublicKey.FromTrusted(publicKey));
    }

    /// <summary>Writes the 32-byte private key to <paramref name="destination"/> (which the caller must protect).</summary>
    public void Export(Span<byte> destination)
    {
        if (destination.Length != PrivateKeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, PrivateKeySize);
        }

        _privateKey.Span.CopyTo(destination);
    }

    /// <summary>
    /// Computes the Diffie–Hellman shared secret with <paramref name="peer"/> into
    /// <paramref name="sharedSecret"/>. False (and a zeroed destination) when the result is the
    /// all-zero value, which happens exactly when the peer sent a point of small order: such a
    /// "secret" is known to everyone and must never key anything (RFC 7748 section 6.1).
    /// </summary>
    public bool TryAgree(X25519PublicKey peer, Span<byte> sharedSecret)
    {
        ArgumentNullException.ThrowIfNull(peer);
        if (sharedSecret.Length != SharedSecretSize)
        {
            ProtocolThrow.ArgumentLength(nameof(sharedSecret), sharedSecret.Length, SharedSecretSize);
        }

        return X25519.TryAgreeCore(_privateKey.Span, peer.Bytes, sharedSecret);
    }

    /// <summary>Like <see cref="TryAgree"/> but throws <see cref="CryptographicException"/> on the all-zero secret.</summary>
    public void Agree(X25519PublicKey peer, Span<byte> sharedSecret)
    {
        if (!TryAgree(peer, sharedSecret))
        {
            ProtocolThrow.Cryptographic("X25519 key agreement with a small-order public key");
        }
    }

    /// <summary>Zeroes and frees the private key.</summary>
    public void Dispose() => _privateKey.Dispose();
}
