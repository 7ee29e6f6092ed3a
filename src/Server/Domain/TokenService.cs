using System.Collections.Concurrent;
using System.Security.Cryptography;
using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Tokens;
using Privomega.Server.Storage;

namespace Privomega.Server.Domain;

/// <summary>
/// Anonymous tokens (DESIGN "Anonymous tokens", type 1 VOPRF): issued blindly to identified users up to a
/// quota per key period, spent anonymously; the quota and spent set live in the store. A period's key
/// derives from the master secret, so it survives restarts without being stored. Tokens of the previous
/// period are still accepted (the overlap is one period).
/// </summary>
public sealed class TokenService : IDisposable
{
    private readonly IServerStore _store;
    private readonly ServerKeys _keys;
    private readonly ServerClock _clock;
    private readonly ServerOptions _options;
    private readonly Func<Certificate, bool> _certificateValid;
    private readonly ConcurrentDictionary<long, ITokenIssuerKey> _periodKeys = new();

    /// <summary>Creates the service; <paramref name="certificateValid"/> says whether a certificate may obtain tokens now.</summary>
    public TokenService(IServerStore store, ServerKeys keys, ServerClock clock, ServerOptions options, Func<Certificate, bool> certificateValid)
    {
        _store = store;
        _keys = keys;
        _clock = clock;
        _options = options;
        _certificateValid = certificateValid;
    }

    /// <summary>The published keys, current first.</summary>
    public IReadOnlyList<TokenPublicKey> PublishedKeys()
    {
        var current = _clock.CurrentTokenPeriod;
        var keys = new List<TokenPublicKey> { new(TokenKind.Voprf, current, KeyFor(current).ExportPublicKey()) };
        if (current > 0)
        {
            keys.Add(new TokenPublicKey(TokenKind.Voprf, current - 1, KeyFor(current - 1).ExportPublicKey()));
        }

        return keys;
    }

    /// <summary>Issues tokens for a signed request from a valid certificate; returns the token answer.</summary>
    public async Task<byte[]> IssueAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!TokenIssueRequest.TryDecode(body.Span, out var request, out var error))
        {
            throw ServerProblemException.Decode(error);
        }

        if (!Certificate.TryDecode(request.Certificate.Span, out var certificate, out error))
        {
            throw ServerProblemException.Decode(error);
        }

        if (!certificate.Verify(_keys.Signing.PublicKey, _options.PowDifficulty) || !_certificateValid(certificate))
        {
            throw new ServerProblemException(403, "certificate-invalid", "certificate not issued here or not valid now");
        }

        if (!request.VerifySignature(certificate.VrfKey))
        {
            throw new ServerProblemException(400, "bad-signature", "request not signed by the certificate's key");
        }

        var period = _clock.CurrentTokenPeriod;
        var key = KeyFor(period);
        if (!TokenIssuance.TryReadRequest(key, period, request.Request.Span, Math.Min(_options.TokensPerPeriod, ushort.MaxValue), out var count, out var pirError))
        {
            if (pirError.Field == "token period")
            {
                throw ServerProblemException.WrongEpoch("token period", (ulong)pirError.Found, (ulong)period);
            }

            throw ServerProblemException.Decode(pirError);
        }

        var user = SHA256.HashData(certificate.Encoded);
        if (!await _store.TryReserveTokensAsync(period, user, count, _options.TokensPerPeriod, cancellationToken).ConfigureAwait(false))
        {
            throw new ServerProblemException(429, "token-quota", "token quota of this period exhausted");
        }

        if (!TokenIssuance.TryAnswer(key, period, request.Request.Span, out var answer))
        {
            await _store.ReleaseTokensAsync(period, user, count, CancellationToken.None).ConfigureAwait(false);
            throw new ServerProblemException(400, "bad-value", "invalid blinded element", "element");
        }

        return answer;
    }

    /// <summary>Verifies a token (not yet recorded): its period and the value for the spent set.</summary>
    public (long Period, byte[] SpentKey) Verify(ReadOnlySpan<byte> token)
    {
        if (!TokenWire.TryReadHeader(token, out var kind, out var period, out var error))
        {
            throw ServerProblemException.Decode(error);
        }

        var current = _clock.CurrentTokenPeriod;
        if (kind != TokenKind.Voprf || period > current || period < current - 1)
        {
            throw new ServerProblemException(403, "token-invalid", "token kind or period not accepted");
        }

        if (!TokenIssuance.TryVerify(KeyFor(period), token, out var spentKey))
        {
            throw new ServerProblemException(403, "token-invalid", "token does not verify");
        }

        return (period, spentKey);
    }

    /// <summary>Verifies and spends a token on its own (mailbox reads).</summary>
    public async Task SpendAsync(ReadOnlyMemory<byte> token, CancellationToken cancellationToken)
    {
        var (period, spentKey) = Verify(token.Span);
        if (!await _store.TrySpendTokenAsync(period, spentKey, cancellationToken).ConfigureAwait(false))
        {
            throw new ServerProblemException(409, "token-double-spent", "token already spent");
        }
    }

    /// <summary>Forgets the keys of periods before <paramref name="period"/>.</summary>
    public void Retire(long period)
    {
        foreach (var old in _periodKeys.Keys.Where(p => p < period))
        {
            if (_periodKeys.TryRemove(old, out var key))
            {
                key.Dispose();
            }
        }
    }

    /// <inheritdoc />
    public void Dispose() => Retire(long.MaxValue);

    private ITokenIssuerKey KeyFor(long period) => _periodKeys.GetOrAdd(period, p =>
    {
        var seed = _keys.TokenSeed(p);
        try
        {
            return new VoprfTokenIssuerKey(OprfPrivateKey.DeriveKeyPair(OprfMode.Voprf, seed, "privomega/v1/token-key"u8));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(seed);
        }
    });
}
