using System.Diagnostics.CodeAnalysis;
using NSec.Cryptography;

namespace Privomega.Protocol.Primitives;

/// <summary>
/// An Ed25519 key pair (RFC 8032) whose private key is an NSec <see cref="Key"/> (NSec's secure
/// memory, zeroed and freed on <see cref="Dispose"/>). The private key is the 32-byte seed. The same
/// key pair serves as an ECVRF-EDWARDS25519 key (RFC 9381), which needs the seed itself
/// (<see cref="Export"/>), so the key is created exportable.
/// </summary>
public sealed class Ed25519KeyPair : IDisposable
{
    /// <summary>The size of the private key (seed) in bytes.</summary>
    public const int SeedSize = 32;

    private static KeyCreationParameters Exportable => new() { ExportPolicy = KeyExportPolicies.AllowPlaintextExport };

    private readonly Key _key;

    private Ed25519KeyPair(Key key)
    {
        _key = key;
        Span<byte> publicKey = stackalloc byte[Ed25519PublicKey.Size];
        if (!key.PublicKey.TryExport(KeyBlobFormat.RawPublicKey, publicKey, out int written) || written != Ed25519PublicKey.Size)
        {
            key.Dispose();
            ProtocolThrow.Cryptographic("Ed25519 public key export");
        }

        PublicKey = Ed25519PublicKey.FromTrusted(publicKey);
    }

    /// <summary>The public half.</summary>
    public Ed25519PublicKey PublicKey { get; }

    /// <summary>Generates a key pair from NSec's CSPRNG.</summary>
    public static Ed25519KeyPair Generate() => new(Key.Create(SignatureAlgorithm.Ed25519, Exportable));

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

    private static Ed25519KeyPair FromSeedCore(ReadOnlySpan<byte> seed) =>
        new(Key.Import(SignatureAlgorithm.Ed25519, seed, KeyBlobFormat.RawPrivateKey, Exportable));

    /// <summary>Writes the 32-byte seed to <paramref name="destination"/> (which the caller must protect).</summary>
    public void Export(Span<byte> destination)
    {
        if (destination.Length != SeedSize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, SeedSize);
        }

        if (!_key.TryExport(KeyBlobFormat.RawPrivateKey, destination, out int written) || written != SeedSize)
        {
            ProtocolThrow.Cryptographic("Ed25519 seed export");
        }
    }

    /// <summary>Signs <paramref name="message"/> into the 64-byte <paramref name="signature"/>.</summary>
    public void Sign(ReadOnlySpan<byte> message, Span<byte> signature)
    {
        if (signature.Length != Ed25519.SignatureSize)
        {
            ProtocolThrow.ArgumentLength(nameof(signature), signature.Length, Ed25519.SignatureSize);
        }

        // libsodium derives the nonce r from the message, writes R into the signature, then hashes the
        // message again for the challenge: an overlapping signature changes the second read, giving a
        // signature with the same r but another challenge — two of those reveal the private scalar.
        if (signature.Overlaps(message))
        {
            ProtocolThrow.Overlap(nameof(signature));
        }

        SignatureAlgorithm.Ed25519.Sign(_key, message, signature);
    }

    /// <summary>Signs <paramref name="message"/> and returns the 64-byte signature.</summary>
    public byte[] Sign(ReadOnlySpan<byte> message) => SignatureAlgorithm.Ed25519.Sign(_key, message);

    /// <summary>Zeroes and frees the private key.</summary>
    public void Dispose() => _key.Dispose();
}
