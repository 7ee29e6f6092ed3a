using System.ComponentModel.DataAnnotations;
using Privomega.Protocol.Api;

namespace Privomega.Server;

/// <summary>
/// Everything a deployment sets, bound from the <c>Privomega</c> configuration section and validated at
/// start-up. <c>Privomega:Profile=development</c> first applies <see cref="ApplyDevelopmentProfile"/>
/// (small values for the demo, tests and load runs; all loopback), and explicit settings then override it.
/// </summary>
public sealed class ServerOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "Privomega";

    /// <summary><c>primary</c> or <c>replica</c>.</summary>
    public ServerRole Role { get; set; } = ServerRole.Primary;

    /// <summary><c>production</c> (default) or <c>development</c>.</summary>
    public string Profile { get; set; } = "production";

    /// <summary><c>sqlite</c> (default) or <c>memory</c>.</summary>
    public string Storage { get; set; } = "sqlite";

    /// <summary>Folder of the SQLite database.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Replica: the primary's base URL.</summary>
    public string? PrimaryUrl { get; set; }

    /// <summary>Replica: the primary's Ed25519 key, hex (64 digits). Empty: trust the key the primary first reports (logged).</summary>
    public string? PrimaryKey { get; set; }

    /// <summary>Epoch length.</summary>
    [Range(1, 86_400)]
    public int EpochSeconds { get; set; } = 60;

    /// <summary>Mail epoch length.</summary>
    [Range(100, 600_000)]
    public int MailEpochMilliseconds { get; set; } = 2_000;

    /// <summary>Epochs a certificate is valid for after the epoch it was issued in.</summary>
    [Range(2, 100_000)]
    public int CertificateEpochs { get; set; } = 60;

    /// <summary>Minimum proof-of-work difficulty, bits.</summary>
    [Range(0, 64)]
    public int PowDifficulty { get; set; } = 20;

    /// <summary>Bytes of every mail ciphertext (160-byte padded chat message: 1 + 24 + 160 + 16).</summary>
    [Range(32, 65_536)]
    public int MailCiphertextBytes { get; set; } = 201;

    /// <summary>Mail epochs a message is kept and served.</summary>
    [Range(1, 1_000_000)]
    public int MailRetentionEpochs { get; set; } = 30;

    /// <summary>Keyword layout: initial bucket count of the mailbox database.</summary>
    [Range(1, 1 << 24)]
    public int MailboxBuckets { get; set; } = 1024;

    /// <summary>Keyword layout: slots per bucket.</summary>
    [Range(1, 64)]
    public int BucketSlots { get; set; } = 4;

    /// <summary>Keyword layout: candidate buckets per mailbox id.</summary>
    [Range(2, 3)]
    public int HashCount { get; set; } = 2;

    /// <summary>Token key period.</summary>
    [Range(1, 31_536_000)]
    public int TokenPeriodSeconds { get; set; } = 86_400;

    /// <summary>Tokens one identity may obtain per period.</summary>
    [Range(1, 1_000_000)]
    public int TokensPerPeriod { get; set; } = 4_096;

    /// <summary>Most PIR queries per batch request.</summary>
    [Range(1, 1024)]
    public int PirBatch { get; set; } = 8;

    /// <summary>Registrations per minute per source address.</summary>
    [Range(1, 1_000_000)]
    public int RegisterPerMinute { get; set; } = 10;

    /// <summary>Requests per second per source address, every route together.</summary>
    [Range(1, 10_000_000)]
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>Threads for one PIR pass.</summary>
    [Range(1, 256)]
    public int PirThreads { get; set; } = 1;

    /// <summary>Largest evaluation-key upload.</summary>
    [Range(1024, 1 << 30)]
    public int EvalKeyBytes { get; set; } = 32 << 20;

    /// <summary>Epoch length as a span.</summary>
    public TimeSpan Epoch => TimeSpan.FromSeconds(EpochSeconds);

    /// <summary>Mail epoch length as a span.</summary>
    public TimeSpan MailEpoch => TimeSpan.FromMilliseconds(MailEpochMilliseconds);

    /// <summary>The development profile: seconds-long epochs, cheap proof of work, generous loopback limits.</summary>
    public void ApplyDevelopmentProfile()
    {
        EpochSeconds = 10;
        MailEpochMilliseconds = 1_000;
        CertificateEpochs = 360;
        PowDifficulty = 8;
        MailRetentionEpochs = 20;
        MailboxBuckets = 256;
        TokenPeriodSeconds = 600;
        TokensPerPeriod = 100_000;
        RegisterPerMinute = 100_000;
        RequestsPerSecond = 1_000_000;
    }
}
