using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using NSec.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// An X25519 key pair (RFC 7748) whose private key is an NSec <see cref="Key"/> (NSec's secure
/// memory, zeroed and freed on <see cref="Dispose"/>). Clamping happens inside the X25519 function,
/// so any 32 bytes are a private key.
/// </summary>
public sealed class X25519KeyPair : IDisposable
{
    /// <summary>The size of the private key in bytes.</summary>
    public const int PrivateKeySize = 32;

    /// <summary>The size of a shared secret in bytes.</summary>
    public const int SharedSecretSize = 32;

    private readonly Key _privateKey;

    private X25519KeyPair(Key privateKey)
    {
        _privateKey = privateKey;
        Span<byte> publicKey = stackalloc byte[X25519PublicKey.Size];
        NSecX25519.PublicKeyOf(privateKey, publicKey);
        PublicKey = X25519PublicKey.FromTrusted(publicKey);
    }

    /// <summary>The public half.</summary>
    public X25519PublicKey PublicKey { get; }

    /// <summary>Generates a key pair from NSec's CSPRNG.</summary>
    public static X25519KeyPair Generate() => new(NSecX25519.Create());

    /// <summary>Imports a 32-byte private key.</summary>
    public static X25519KeyPair Import(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != PrivateKeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(privateKey), privateKey.Length, PrivateKeySize);
        }

        return new(NSecX25519.Import(privateKey));
    }

    /// <summary>Imports a private key; false if it is not 32 bytes long.</summary>
    public static bool TryImport(ReadOnlySpan<byte> privateKey, [NotNullWhen(true)] out X25519KeyPair? keyPair)
    {
        keyPair = privateKey.Length == PrivateKeySize ? new(NSecX25519.Import(privateKey)) : null;
        return keyPair is not null;
    }

    /// <summary>Writes the 32-byte private key to <paramref name="destination"/> (which the caller must protect).</summary>
    public void Export(Span<byte> destination)
    {
        if (destination.Length != PrivateKeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, PrivateKeySize);
        }

        if (!_privateKey.TryExport(KeyBlobFormat.RawPrivateKey, destination, out int written) || written != PrivateKeySize)
        {
            ProtocolThrow.Cryptographic("X25519 private key export");
        }
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

        return NSecX25519.TryAgree(_privateKey, peer.Bytes, sharedSecret);
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
