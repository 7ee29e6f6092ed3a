using System.Security.Cryptography;
using Privomega.Protocol.Primitives;
using Privomega.Server.Storage;

namespace Privomega.Server.Domain;

/// <summary>
/// The primary's long-lived secrets, created once and kept in the store: the Ed25519 signing key (heads,
/// certificates, mail heads), the token master secret (each period's token key derives from it), the
/// keyword-layout master secret, and the epoch origin.
/// </summary>
public sealed class ServerKeys : IDisposable
{
    private readonly byte[] _tokenMaster;
    private readonly byte[] _layoutMaster;

    private ServerKeys(Ed25519KeyPair signing, byte[] tokenMaster, byte[] layoutMaster, DateTimeOffset origin)
    {
        Signing = signing;
        _tokenMaster = tokenMaster;
        _layoutMaster = layoutMaster;
        Origin = origin;
    }

    /// <summary>The server's signing key.</summary>
    public Ed25519KeyPair Signing { get; }

    /// <summary>Start of epoch 0.</summary>
    public DateTimeOffset Origin { get; }

    /// <summary>Loads the secrets, creating them on first start.</summary>
    public static async Task<ServerKeys> LoadAsync(IServerStore store, TimeProvider time, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(time);
        var seed = await store.GetOrCreateSecretAsync("ed25519-seed", () => RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false);
        var token = await store.GetOrCreateSecretAsync("token-master", () => RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false);
        var layout = await store.GetOrCreateSecretAsync("layout-master", () => RandomNumberGenerator.GetBytes(32), cancellationToken).ConfigureAwait(false);
        var originBytes = await store.GetOrCreateSecretAsync("origin-ms", () => BitConverter.GetBytes(time.GetUtcNow().ToUnixTimeMilliseconds()), cancellationToken).ConfigureAwait(false);
        var signing = Ed25519KeyPair.Import(seed);
        CryptographicOperations.ZeroMemory(seed);
        return new ServerKeys(signing, token, layout, DateTimeOffset.FromUnixTimeMilliseconds(BitConverter.ToInt64(originBytes)));
    }

    /// <summary>The 32-byte seed of token period <paramref name="period"/>'s key.</summary>
    public byte[] TokenSeed(long period) => Derive(_tokenMaster, "privomega/v1/token-period", (ulong)period, 32);

    /// <summary>The keyword layout key of generation <paramref name="generation"/>.</summary>
    public byte[] LayoutKey(ulong generation) => Derive(_layoutMaster, "privomega/v1/layout-key", generation, 16);

    /// <inheritdoc />
    public void Dispose()
    {
        Signing.Dispose();
        CryptographicOperations.ZeroMemory(_tokenMaster);
        CryptographicOperations.ZeroMemory(_layoutMaster);
    }

    private static byte[] Derive(byte[] master, string label, ulong index, int length)
    {
        var info = new byte[label.Length + 8];
        System.Text.Encoding.ASCII.GetBytes(label, info);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(info.AsSpan(label.Length), index);
        return HKDF.DeriveKey(HashAlgorithmName.SHA256, master, length, salt: [], info);
    }
}
