using Privomega.Client.Transport;
using Privomega.Protocol.Formats;

namespace Privomega.Client.Identity;

/// <summary>Progress of the registration proof of work.</summary>
/// <param name="Hashes">Hashes tried so far.</param>
/// <param name="ExpectedHashes">2^difficulty, the expected number of tries.</param>
public readonly record struct PowProgress(long Hashes, double ExpectedHashes);

/// <summary>
/// Registration (DESIGN "Identities and certificates"): mint the proof of work over the two public
/// keys, send them, and check the certificate that comes back — signed by the server, for these
/// keys, with this proof of work — before keeping it.
/// </summary>
public static class Registrar
{
    private const int ChunkSize = 4096;

    /// <summary>Searches a proof-of-work nonce, reporting progress every few thousand hashes.</summary>
    public static ulong MintProofOfWork(ClientIdentity identity, int difficulty, IProgress<PowProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(identity);
        if (difficulty is < 0 or > ProofOfWork.MaxDifficulty)
        {
            throw new ArgumentOutOfRangeException(nameof(difficulty), difficulty, $"Expected a difficulty in [0, {ProofOfWork.MaxDifficulty}].");
        }

        var expected = Math.Pow(2, difficulty);
        var start = (ulong)Random.Shared.NextInt64();
        for (long tried = 0; ; tried += ChunkSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            for (var i = 0; i < ChunkSize; i++)
            {
                var nonce = unchecked(start + (ulong)tried + (ulong)i);
                if (ProofOfWork.Verify(identity.VrfKey.PublicKey, identity.DhKey.PublicKey, difficulty, nonce))
                {
                    progress?.Report(new PowProgress(tried + i + 1, expected));
                    return nonce;
                }
            }

            progress?.Report(new PowProgress(tried + ChunkSize, expected));
        }
    }

    /// <summary>
    /// Registers <paramref name="identity"/> with the server and attaches the certificate. Throws
    /// <see cref="ProtocolViolationException"/> when the server returns a certificate that is not
    /// signed by its key or names other keys.
    /// </summary>
    public static async Task<Certificate> RegisterAsync(
        IPrivomegaServer server, Deployment info, ClientIdentity identity, IProgress<PowProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(identity);
        var nonce = await Task.Run(() => MintProofOfWork(identity, info.PowDifficulty, progress, cancellationToken), cancellationToken).ConfigureAwait(false);
        var certificate = await server.RegisterAsync(identity.VrfKey.PublicKey, identity.DhKey.PublicKey, nonce, info.PowDifficulty, cancellationToken).ConfigureAwait(false);
        if (!certificate.VrfKey.Equals(identity.VrfKey.PublicKey) || !certificate.DhKey.Equals(identity.DhKey.PublicKey))
        {
            throw new ProtocolViolationException("The server issued a certificate for other public keys.");
        }

        if (!certificate.Verify(info.ServerKey, info.PowDifficulty))
        {
            throw new ProtocolViolationException("The server's certificate does not verify (signature or proof of work).");
        }

        identity.Attach(certificate);
        return certificate;
    }
}

/// <summary>The server broke the protocol in a way the client can prove or at least refuse (a bad signature, a wrong proof).</summary>
public sealed class ProtocolViolationException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ProtocolViolationException()
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProtocolViolationException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public ProtocolViolationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
