using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Pir.Engine;

namespace Privomega.Protocol.Tokens;

/// <summary>
/// The stateless steps of issuing and redeeming a token under one period's key, for an issuer that keeps
/// its quota and spent set in durable storage (the server) rather than in <see cref="TokenIssuer"/>'s memory.
/// The caller reserves quota before <see cref="TryAnswer"/> and records <see cref="SpentKey"/> atomically.
/// </summary>
public static class TokenIssuance
{
    /// <summary>Reads a request for <paramref name="key"/>'s kind and <paramref name="period"/>: how many elements it carries.</summary>
    public static bool TryReadRequest(ITokenIssuerKey key, long period, ReadOnlySpan<byte> request, int maxCount, out int count, out PirDecodeError error)
    {
        ArgumentNullException.ThrowIfNull(key);
        count = 0;
        if (!TokenWire.TryReadBatch(request, "token request", key.ElementSize, 0, maxCount, out var kind, out var found, out count, out _, out error))
        {
            return false;
        }

        if (kind != key.Kind)
        {
            error = new PirDecodeError(PirDecodeStatus.WrongScheme, "token kind", (byte)kind, (byte)key.Kind);
            return false;
        }

        if (found != period)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "token period", found, period);
            return false;
        }

        return true;
    }

    /// <summary>Evaluates a request that <see cref="TryReadRequest"/> accepted; false if an element is invalid.</summary>
    public static bool TryAnswer(ITokenIssuerKey key, long period, ReadOnlySpan<byte> request, [NotNullWhen(true)] out byte[]? answer)
    {
        ArgumentNullException.ThrowIfNull(key);
        answer = null;
        if (!TokenWire.TryReadBatch(request, "token request", key.ElementSize, 0, ushort.MaxValue, out _, out _, out var count, out var elements, out _))
        {
            return false;
        }

        var body = new byte[(count * key.ElementSize) + key.ProofSize];
        if (!key.TryIssue(elements, body))
        {
            return false;
        }

        answer = TokenWire.EncodeBatch(key.Kind, period, count, body);
        return true;
    }

    /// <summary>
    /// Verifies a token under its period's key and gives the value to record in the spent set,
    /// <c>SHA-256(input)</c>. Reads the period first with <see cref="TokenWire.TryReadHeader"/>.
    /// </summary>
    public static bool TryVerify(ITokenIssuerKey key, ReadOnlySpan<byte> token, [NotNullWhen(true)] out byte[]? spentKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        spentKey = null;
        if (!AnonymousToken.TryDecode(token, key.InputSize, key.AuthenticatorSize, out var decoded, out _) || decoded.Kind != key.Kind)
        {
            return false;
        }

        if (!key.Verify(decoded.Input.Span, decoded.Authenticator.Span))
        {
            return false;
        }

        spentKey = SHA256.HashData(decoded.Input.Span);
        return true;
    }
}
