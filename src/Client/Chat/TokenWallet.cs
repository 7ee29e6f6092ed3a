using Privomega.Client.Identity;
using Privomega.Client.Transport;
using Privomega.Protocol.Api;
using Privomega.Protocol.Tokens;

namespace Privomega.Client.Chat;

/// <summary>
/// Anonymous tokens (DESIGN "Anonymous tokens"): obtained blindly in batches while identified by the
/// certificate, spent one per mail write and one per mailbox read batch, so the server cannot tell
/// which identity spends which. A new key period drops the old tokens and fetches fresh ones.
/// </summary>
public sealed class TokenWallet
{
    private readonly IPrivomegaServer _primary;
    private readonly ClientIdentity _identity;
    private readonly int _batch;
    private readonly Queue<AnonymousToken> _tokens = new();
    private long _period = -1;

    /// <summary>Creates a wallet that fetches <paramref name="batch"/> tokens at a time.</summary>
    public TokenWallet(IPrivomegaServer primary, ClientIdentity identity, int batch)
    {
        ArgumentNullException.ThrowIfNull(primary);
        ArgumentNullException.ThrowIfNull(identity);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        _primary = primary;
        _identity = identity;
        _batch = batch;
    }

    /// <summary>Tokens spent so far.</summary>
    public long Spent { get; private set; }

    /// <summary>Takes one token (fetching a batch when none is left or the key period changed), encoded for spending.</summary>
    public async Task<byte[]> TakeAsync(CancellationToken cancellationToken)
    {
        if (_tokens.Count == 0)
        {
            await RefillAsync(cancellationToken).ConfigureAwait(false);
        }

        Spent++;
        return _tokens.Dequeue().Encode();
    }

    /// <summary>Forgets the tokens held (after the server said the period moved on).</summary>
    public void Clear() => _tokens.Clear();

    private async Task RefillAsync(CancellationToken cancellationToken)
    {
        var certificate = _identity.Certificate ?? throw new InvalidOperationException("Tokens are issued to a registered identity only.");
        var keys = await _primary.GetTokenKeysAsync(cancellationToken).ConfigureAwait(false);
        if (keys.Count == 0 || !TokenClient.TryCreate(keys[0], out var client))
        {
            throw new ServerRejectedException("The server publishes no usable token key.");
        }

        if (client.Period != _period)
        {
            _tokens.Clear();
            _period = client.Period;
        }

        var request = client.CreateRequest(_batch, out var blinding);
        using (blinding)
        {
            var answer = await _primary.IssueTokensAsync(TokenIssueRequest.Create(certificate, _identity.VrfKey, request), cancellationToken).ConfigureAwait(false);
            if (!client.TryFinalize(blinding, answer, out var tokens, out var error))
            {
                throw new Identity.ProtocolViolationException($"The token issuer's answer does not verify: {error}.");
            }

            foreach (var token in tokens)
            {
                _tokens.Enqueue(token);
            }
        }
    }
}
