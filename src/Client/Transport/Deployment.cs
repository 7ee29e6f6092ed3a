using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Tokens;

namespace Privomega.Client.Transport;

/// <summary>
/// The deployment's knobs as a client uses them, read from the primary's <c>/v1/info</c> and checked
/// once: the server key every signature is verified against, the proof-of-work difficulty, epoch
/// lengths, the certificate lifetime and the one mail size.
/// </summary>
public sealed record Deployment(
    Ed25519PublicKey ServerKey,
    int PowDifficulty,
    TimeSpan EpochLength,
    TimeSpan MailEpochLength,
    int CertificateEpochs,
    int MailCiphertextBytes,
    TokenKind TokenKind,
    TimeSpan KeyPeriod,
    byte Schemes)
{
    /// <summary>
    /// How long after its issue time a certificate is surely listed: it is valid in epochs
    /// <c>[e, e + certificate_epochs)</c> and listed from <c>e + 1</c>, so one epoch is subtracted.
    /// </summary>
    public TimeSpan SurelyListedFor => EpochLength * Math.Max(0, CertificateEpochs - 1);

    /// <summary>How long a certificate lasts from its issue time (the client re-registers before then).</summary>
    public TimeSpan CertificateLifetime => EpochLength * CertificateEpochs;

    /// <summary>Whether the deployment serves <paramref name="scheme"/>.</summary>
    public bool Serves(PirSchemeKind scheme) => (Schemes & (1 << (int)scheme)) != 0;

    /// <summary>Reads the deployment from a primary's info; throws <see cref="ArgumentException"/> when it is unusable.</summary>
    public static Deployment From(ServerInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (!Ed25519PublicKey.TryImport(info.ServerKey.Span, out var key))
        {
            throw new ArgumentException("The server's key is not a valid Ed25519 public key.", nameof(info));
        }

        if (info.EpochMilliseconds == 0 || info.MailEpochMilliseconds == 0 || info.CertificateEpochs == 0)
        {
            throw new ArgumentException($"Epoch {info.EpochMilliseconds} ms, mail epoch {info.MailEpochMilliseconds} ms, certificate epochs {info.CertificateEpochs}; expected all positive.", nameof(info));
        }

        return new Deployment(
            key,
            info.PowDifficulty,
            TimeSpan.FromMilliseconds(info.EpochMilliseconds),
            TimeSpan.FromMilliseconds(info.MailEpochMilliseconds),
            (int)Math.Min(info.CertificateEpochs, int.MaxValue),
            checked((int)info.MailCiphertextBytes),
            info.TokenKind,
            TimeSpan.FromMilliseconds(info.KeyPeriodMilliseconds),
            info.Schemes);
    }
}
