using System.Security.Cryptography;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;

namespace Privomega.Client.Identity;

/// <summary>
/// A short-lived identity (DESIGN "Identities and certificates"): an Ed25519 key pair for the VRF,
/// an X25519 key pair for HPKE and the session, and the certificate the server issued for them.
/// The secret keys are zeroed on dispose.
/// </summary>
public sealed class ClientIdentity : IDisposable
{
    private ClientIdentity(Ed25519KeyPair vrfKey, X25519KeyPair dhKey, Certificate? certificate)
    {
        VrfKey = vrfKey;
        DhKey = dhKey;
        Certificate = certificate;
    }

    /// <summary>The VRF key pair.</summary>
    public Ed25519KeyPair VrfKey { get; }

    /// <summary>The Diffie–Hellman key pair.</summary>
    public X25519KeyPair DhKey { get; }

    /// <summary>The certificate, once registered.</summary>
    public Certificate? Certificate { get; private set; }

    /// <summary>Makes fresh key pairs (not yet registered).</summary>
    public static ClientIdentity Generate() => new(Ed25519KeyPair.Generate(), X25519KeyPair.Generate(), null);

    /// <summary>Restores an identity from its two secret keys and, if any, its certificate.</summary>
    public static ClientIdentity Import(ReadOnlySpan<byte> vrfSeed, ReadOnlySpan<byte> dhPrivateKey, Certificate? certificate)
    {
        var identity = new ClientIdentity(Ed25519KeyPair.Import(vrfSeed), X25519KeyPair.Import(dhPrivateKey), null);
        if (certificate is not null)
        {
            identity.Attach(certificate);
        }

        return identity;
    }

    /// <summary>Attaches the certificate the server issued; throws when it is for other keys.</summary>
    public void Attach(Certificate certificate)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        if (!certificate.VrfKey.Equals(VrfKey.PublicKey) || !certificate.DhKey.Equals(DhKey.PublicKey))
        {
            throw new ArgumentException("The certificate names other public keys than this identity's.", nameof(certificate));
        }

        Certificate = certificate;
    }

    /// <summary>Whether the certificate is still in <c>keydir</c> at <paramref name="unixSeconds"/>.</summary>
    public bool IsValidAt(ulong unixSeconds, TimeSpan validity) =>
        Certificate is not null && unixSeconds < Certificate.IssuedAt + (ulong)validity.TotalSeconds;

    /// <summary>Writes both secret keys (64 bytes: VRF seed ‖ X25519 private key) for the caller to protect and zero.</summary>
    public void ExportSecrets(Span<byte> destination)
    {
        if (destination.Length != 64)
        {
            throw new ArgumentException($"Length {destination.Length}; expected 64.", nameof(destination));
        }

        VrfKey.Export(destination[..32]);
        DhKey.Export(destination[32..]);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        VrfKey.Dispose();
        DhKey.Dispose();
    }
}

/// <summary>Stores an identity in a file with owner-only permissions: <c>secrets(64) ‖ certificate(146)?</c>.</summary>
public static class IdentityFile
{
    /// <summary>Writes <paramref name="identity"/> to <paramref name="path"/>.</summary>
    public static void Save(ClientIdentity identity, string path)
    {
        ArgumentNullException.ThrowIfNull(identity);
        var bytes = new byte[64 + (identity.Certificate is null ? 0 : Certificate.Size)];
        try
        {
            identity.ExportSecrets(bytes.AsSpan(0, 64));
            identity.Certificate?.Encode(bytes.AsSpan(64));
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var stream = new FileStream(path, options);
            stream.Write(bytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Reads an identity; false when the file is missing or malformed.</summary>
    public static bool TryLoad(string path, out ClientIdentity? identity)
    {
        identity = null;
        if (!File.Exists(path))
        {
            return false;
        }

        var bytes = File.ReadAllBytes(path);
        try
        {
            if (bytes.Length != 64 && bytes.Length != 64 + Certificate.Size)
            {
                return false;
            }

            Certificate? certificate = null;
            if (bytes.Length > 64 && !Certificate.TryDecode(bytes.AsSpan(64), out certificate, out _))
            {
                return false;
            }

            identity = ClientIdentity.Import(bytes.AsSpan(0, 32), bytes.AsSpan(32, 32), certificate);
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
