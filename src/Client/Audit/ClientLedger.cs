using System.Text.Json;
using System.Text.Json.Serialization;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;

namespace Privomega.Client.Audit;

/// <summary>A head as a server served it, kept for the audit.</summary>
/// <param name="Role">Which server served it.</param>
/// <param name="Encoded">The 265-byte head.</param>
public sealed record StoredHead(ServerRole Role, byte[] Encoded);

/// <summary>The log consistency proof the client checked between two consecutive heads.</summary>
/// <param name="FromEpoch">The earlier head's epoch.</param>
/// <param name="ToEpoch">The later head's epoch.</param>
/// <param name="Proof">The RFC 9162 proof.</param>
public sealed record StoredConsistency(ulong FromEpoch, ulong ToEpoch, byte[] Proof);

/// <summary>The client's own inclusion in <c>keydir_t</c>, as the primary proved it.</summary>
/// <param name="Epoch">The epoch.</param>
/// <param name="LeafIndex">Its id.</param>
/// <param name="Path">The inclusion path.</param>
public sealed record StoredMembership(ulong Epoch, long LeafIndex, byte[] Path);

/// <summary>A certificate the client held and when it was valid.</summary>
/// <param name="Encoded">The 146-byte certificate.</param>
/// <param name="ValidSeconds">How long it stays in the directory after its issue time.</param>
public sealed record StoredCertificate(byte[] Encoded, long ValidSeconds);

/// <summary>
/// Everything a client stored about what the servers showed it — heads from both servers, the
/// log consistency proofs between consecutive heads, its own memberships, its certificates and any
/// equivocation evidence — so <see cref="Auditor"/> can re-check it all later, offline. Serialised
/// as JSON (byte fields base64). Holds no secret.
/// </summary>
public sealed class ClientLedger
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false, Converters = { new JsonStringEnumConverter() } };

    /// <summary>The server key every signature is checked against (32 bytes).</summary>
    public byte[] ServerKey { get; set; } = [];

    /// <summary>Every head either server served, in the order received.</summary>
    public List<StoredHead> Heads { get; set; } = [];

    /// <summary>Consistency proofs between consecutive primary heads.</summary>
    public List<StoredConsistency> Consistency { get; set; } = [];

    /// <summary>The client's memberships, one per epoch it checked.</summary>
    public List<StoredMembership> Memberships { get; set; } = [];

    /// <summary>Certificates the client held, oldest first.</summary>
    public List<StoredCertificate> Certificates { get; set; } = [];

    /// <summary>Every mail head the client checked before reading a snapshot (encoded, one per mail epoch).</summary>
    public List<byte[]> MailHeads { get; set; } = [];

    /// <summary>Equivocation evidence, when found.</summary>
    public byte[]? Evidence { get; set; }

    /// <summary>Records a head (deduplicated per server and body).</summary>
    public void AddHead(ServerRole role, EpochHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var encoded = head.Encode();
        if (!Heads.Any(h => h.Role == role && h.Encoded.AsSpan().SequenceEqual(encoded)))
        {
            Heads.Add(new StoredHead(role, encoded));
        }
    }

    /// <summary>Records a mail head (once per body).</summary>
    public void AddMailHead(MailHead head)
    {
        ArgumentNullException.ThrowIfNull(head);
        var encoded = head.Encode();
        if (!MailHeads.Any(h => h.AsSpan().SequenceEqual(encoded)))
        {
            MailHeads.Add(encoded);
        }
    }

    /// <summary>Writes the ledger as JSON.</summary>
    public void Save(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, JsonOptions));
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>Reads a ledger; an empty one when the file does not exist. Throws <see cref="JsonException"/> when malformed.</summary>
    public static ClientLedger Load(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<ClientLedger>(File.ReadAllText(path), JsonOptions) ?? new ClientLedger() : new ClientLedger();
}
