using System.Diagnostics.CodeAnalysis;
using Privomega.Pir.Engine;

namespace Privomega.Protocol.Tokens;

/// <summary>
/// The client side of anonymous tokens for one key period: builds blinded requests while
/// identified and turns answers into tokens to spend anonymously later.
/// </summary>
public sealed class TokenClient
{
    private readonly ITokenClientKey _key;

    public TokenClient(ITokenClientKey key, long period)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (period < 0)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(period), period, "a non-negative key period");
        }

        _key = key;
        Period = period;
    }

    public TokenKind Kind => _key.Kind;

    public long Period { get; }

    /// <summary>A client for a published key; false if the key bytes are not a valid key of that kind.</summary>
    public static bool TryCreate(TokenPublicKey published, [NotNullWhen(true)] out TokenClient? client)
    {
        ArgumentNullException.ThrowIfNull(published);
        client = null;
        ITokenClientKey? key = published.Kind switch
        {
            TokenKind.Voprf => VoprfTokenClientKey.TryImport(published.PublicKey, out VoprfTokenClientKey? v) ? v : null,
            TokenKind.RsaBlind => RsaTokenClientKey.TryImport(published.PublicKey, out RsaTokenClientKey? r) ? r : null,
            _ => null,
        };
        if (key is null || published.Period < 0)
        {
            return false;
        }

        client = new TokenClient(key, published.Period);
        return true;
    }

    /// <summary>Blinds <paramref name="count"/> fresh inputs; keep <paramref name="blinding"/> (secret) for <see cref="TryFinalize"/>.</summary>
    public byte[] CreateRequest(int count, out TokenBlinding blinding)
    {
        blinding = _key.Blind(count);
        return TokenWire.EncodeBatch(Kind, Period, count, blinding.BlindedElements.Span);
    }

    /// <summary>Unblinds the issuer's answer; false if it is malformed, for another request, or does not verify.</summary>
    public bool TryFinalize(TokenBlinding blinding, ReadOnlySpan<byte> answer, [NotNullWhen(true)] out IReadOnlyList<AnonymousToken>? tokens, out PirDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(blinding);
        tokens = null;
        if (!TokenWire.TryReadBatch(answer, "token answer", _key.ElementSize, _key.ProofSize, blinding.Count,
            out TokenKind kind, out long period, out int count, out ReadOnlySpan<byte> body, out error))
        {
            return false;
        }

        if (kind != Kind || period != Period || count != blinding.Count)
        {
            error = kind != Kind ? new PirDecodeError(PirDecodeStatus.WrongScheme, "token kind", (long)kind, (long)Kind)
                : period != Period ? new PirDecodeError(PirDecodeStatus.BadValue, "token period", period, Period)
                : new PirDecodeError(PirDecodeStatus.BadValue, "token answer count", count, blinding.Count);
            return false;
        }

        byte[] authenticators = new byte[count * _key.AuthenticatorSize];
        if (!_key.TryFinalize(blinding, body, authenticators))
        {
            return false;
        }

        var result = new AnonymousToken[count];
        for (int i = 0; i < count; i++)
        {
            result[i] = new AnonymousToken(Kind, Period,
                blinding.Inputs.Slice(i * _key.InputSize, _key.InputSize).ToArray(),
                authenticators.AsSpan(i * _key.AuthenticatorSize, _key.AuthenticatorSize).ToArray());
        }

        tokens = result;
        return true;
    }
}
