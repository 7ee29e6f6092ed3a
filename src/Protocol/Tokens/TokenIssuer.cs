using System.Security.Cryptography;
using Privomega.Pir.Engine;

namespace Privomega.Protocol.Tokens;

/// <summary>Issuing policy: k tokens per identified user per key period, and how long an old key stays valid.</summary>
public sealed record TokenIssuerOptions
{
    /// <summary>k: tokens one identified user may obtain per key period.</summary>
    public int TokensPerPeriod { get; init; } = 64;

    public TimeSpan PeriodLength { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How long after a period ends its tokens are still accepted (clients spend leftovers).</summary>
    public TimeSpan Overlap { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Start of period 0.</summary>
    public DateTimeOffset Origin { get; init; } = DateTimeOffset.UnixEpoch;

    internal void Validate()
    {
        if (TokensPerPeriod is < 1 or > ushort.MaxValue)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(TokensPerPeriod), TokensPerPeriod, $"1..{ushort.MaxValue}");
        }

        if (PeriodLength <= TimeSpan.Zero)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(PeriodLength), PeriodLength.Ticks, "a positive duration (ticks)");
        }

        if (Overlap < TimeSpan.Zero || Overlap >= PeriodLength)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(Overlap), Overlap.Ticks, $"0 <= overlap < period length ({PeriodLength.Ticks} ticks)");
        }
    }
}

public enum TokenIssueStatus
{
    Issued = 0,

    /// <summary>The request did not decode (see the <see cref="PirDecodeError"/>).</summary>
    Malformed,

    /// <summary>The request is for another token type than this issuer's.</summary>
    WrongKind,

    /// <summary>Only the current period's key issues.</summary>
    WrongPeriod,

    /// <summary>The user would exceed k tokens in this period; nothing was issued.</summary>
    QuotaExceeded,

    /// <summary>A blinded element was not valid for the key.</summary>
    InvalidElement,
}

public enum TokenRedeemStatus
{
    Accepted = 0,
    Malformed,
    WrongKind,

    /// <summary>The token's period is not current and not the previous one within the overlap window.</summary>
    UnknownPeriod,

    /// <summary>The authenticator does not verify under the period's key.</summary>
    Invalid,

    /// <summary>The token was already spent.</summary>
    DoubleSpent,
}

/// <summary>The public key of one period, as clients fetch it.</summary>
public sealed record TokenPublicKey(TokenKind Kind, long Period, byte[] PublicKey);

/// <summary>
/// The server side of anonymous tokens for one token type: a key per period, created when the
/// period starts and kept for <see cref="TokenIssuerOptions.Overlap"/> after it ends, then erased
/// with its spent set. Issuing is to identified users, at most k per period; redeeming is
/// anonymous and each token is accepted once. Thread-safe; the expensive cryptography runs outside the lock.
/// </summary>
public sealed class TokenIssuer : IDisposable
{
    private readonly Func<long, ITokenIssuerKey> _createKey;
    private readonly TokenIssuerOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, KeyPeriod> _periods = [];
    private bool _disposed;

    public TokenIssuer(TokenKind kind, Func<long, ITokenIssuerKey> createKey, TokenIssuerOptions options, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(createKey);
        ArgumentNullException.ThrowIfNull(options);
        if (kind is not (TokenKind.Voprf or TokenKind.RsaBlind))
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(kind), (long)kind, "TokenKind.Voprf (1) or TokenKind.RsaBlind (2)");
        }

        options.Validate();
        Kind = kind;
        _createKey = createKey;
        _options = options;
        _time = timeProvider ?? TimeProvider.System;
    }

    public TokenKind Kind { get; }

    /// <summary>The period the clock is in now.</summary>
    public long CurrentPeriod => PeriodAt(_time.GetUtcNow());

    /// <summary>The keys clients may hold tokens for now: the current one first, then the previous one during the overlap.</summary>
    public IReadOnlyList<TokenPublicKey> PublishedKeys()
    {
        lock (_gate)
        {
            long current = RefreshLocked();
            return _periods.Values.OrderByDescending(p => p.Period)
                .Select(p => new TokenPublicKey(Kind, p.Period, p.Key.ExportPublicKey()))
                .Where(k => k.Period <= current)
                .ToList();
        }
    }

    /// <summary>Tokens <paramref name="userId"/> may still obtain in the current period.</summary>
    public int Remaining(ReadOnlySpan<byte> userId)
    {
        string user = Convert.ToHexString(userId);
        lock (_gate)
        {
            KeyPeriod current = _periods[RefreshLocked()];
            return _options.TokensPerPeriod - current.IssuedTo.GetValueOrDefault(user);
        }
    }

    /// <summary>Answers a token request from an identified user; <paramref name="answer"/> is set only when issued.</summary>
    public TokenIssueStatus Issue(ReadOnlySpan<byte> userId, ReadOnlySpan<byte> request, out byte[]? answer, out PirDecodeError error)
    {
        answer = null;
        string user = Convert.ToHexString(userId);
        KeyPeriod current;
        lock (_gate)
        {
            current = _periods[RefreshLocked()];
            current.InUse++;
        }

        try
        {
            return IssueCore(current, user, request, out answer, out error);
        }
        finally
        {
            Release(current);
        }
    }

    private TokenIssueStatus IssueCore(KeyPeriod current, string user, ReadOnlySpan<byte> request, out byte[]? answer, out PirDecodeError error)
    {
        answer = null;
        ITokenIssuerKey key = current.Key;
        if (!TokenWire.TryReadHeader(request, out TokenKind kind, out long period, out error))
        {
            return TokenIssueStatus.Malformed;
        }

        if (kind != Kind)
        {
            return TokenIssueStatus.WrongKind;
        }

        if (period != current.Period)
        {
            return TokenIssueStatus.WrongPeriod;
        }

        if (!TokenWire.TryReadBatch(request, "token request", key.ElementSize, 0, ushort.MaxValue, out _, out _, out int count, out ReadOnlySpan<byte> elements, out error))
        {
            return TokenIssueStatus.Malformed;
        }

        lock (_gate)
        {
            int used = current.IssuedTo.GetValueOrDefault(user);
            if (used + count > _options.TokensPerPeriod)
            {
                return TokenIssueStatus.QuotaExceeded;
            }

            current.IssuedTo[user] = used + count;
        }

        byte[] body = new byte[(count * key.ElementSize) + key.ProofSize];
        if (!key.TryIssue(elements, body))
        {
            lock (_gate)
            {
                current.IssuedTo[user] -= count;
            }

            return TokenIssueStatus.InvalidElement;
        }

        answer = TokenWire.EncodeBatch(Kind, period, count, body);
        return TokenIssueStatus.Issued;
    }

    /// <summary>Spends a token: verifies it under its period's key and records it so it is never accepted again.</summary>
    public TokenRedeemStatus Redeem(ReadOnlySpan<byte> token)
    {
        if (!TokenWire.TryReadHeader(token, out TokenKind kind, out long period, out _))
        {
            return TokenRedeemStatus.Malformed;
        }

        if (kind != Kind)
        {
            return TokenRedeemStatus.WrongKind;
        }

        KeyPeriod? keyPeriod;
        lock (_gate)
        {
            long current = RefreshLocked();
            if (period > current || !_periods.TryGetValue(period, out keyPeriod))
            {
                return TokenRedeemStatus.UnknownPeriod;
            }

            keyPeriod.InUse++;
        }

        try
        {
            return RedeemCore(keyPeriod, period, token);
        }
        finally
        {
            Release(keyPeriod);
        }
    }

    private TokenRedeemStatus RedeemCore(KeyPeriod keyPeriod, long period, ReadOnlySpan<byte> token)
    {
        ITokenIssuerKey key = keyPeriod.Key;
        if (!AnonymousToken.TryDecode(token, key.InputSize, key.AuthenticatorSize, out AnonymousToken? decoded, out _))
        {
            return TokenRedeemStatus.Malformed;
        }

        if (!key.Verify(decoded.Input.Span, decoded.Authenticator.Span))
        {
            return TokenRedeemStatus.Invalid;
        }

        string spentKey = Convert.ToBase64String(SHA256.HashData(decoded.Input.Span));
        lock (_gate)
        {
            if (!_periods.ContainsKey(period))
            {
                return TokenRedeemStatus.UnknownPeriod;
            }

            return keyPeriod.Spent.Add(spentKey) ? TokenRedeemStatus.Accepted : TokenRedeemStatus.DoubleSpent;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (KeyPeriod period in _periods.Values)
            {
                RetireLocked(period);
            }

            _periods.Clear();
        }
    }

    private long PeriodAt(DateTimeOffset now)
    {
        long ticks = (now - _options.Origin).Ticks;
        return ticks < 0 ? 0 : ticks / _options.PeriodLength.Ticks;
    }

    private DateTimeOffset StartOf(long period) => _options.Origin + TimeSpan.FromTicks(period * _options.PeriodLength.Ticks);

    /// <summary>Creates the current period's key if needed and erases every key past its overlap window; returns the current period.</summary>
    private long RefreshLocked()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        DateTimeOffset now = _time.GetUtcNow();
        long current = PeriodAt(now);
        bool previousStillValid = now < StartOf(current) + _options.Overlap;
        foreach (long period in _periods.Keys.ToList())
        {
            if (period < current - 1 || (period == current - 1 && !previousStillValid))
            {
                RetireLocked(_periods[period]);
                _periods.Remove(period);
            }
        }

        if (!_periods.ContainsKey(current))
        {
            ITokenIssuerKey key = _createKey(current);
            if (key.Kind != Kind)
            {
                key.Dispose();
                ProtocolThrow.Argument("createKey", $"The key factory made a {key.Kind} key for a {Kind} issuer.");
            }

            _periods.Add(current, new KeyPeriod(current, key));
        }

        return current;
    }

    /// <summary>Erases an expired key now, or when the last operation still using it finishes.</summary>
    private static void RetireLocked(KeyPeriod period)
    {
        period.Retired = true;
        if (period.InUse == 0)
        {
            period.Key.Dispose();
        }
    }

    private void Release(KeyPeriod period)
    {
        lock (_gate)
        {
            if (--period.InUse == 0 && period.Retired)
            {
                period.Key.Dispose();
            }
        }
    }

    private sealed class KeyPeriod(long period, ITokenIssuerKey key)
    {
        /// <summary>Operations running outside the lock with this key; it is disposed only when none are.</summary>
        public int InUse { get; set; }

        public bool Retired { get; set; }

        public long Period { get; } = period;

        public ITokenIssuerKey Key { get; } = key;

        /// <summary>SHA-256 of each spent token's input.</summary>
        public HashSet<string> Spent { get; } = [];

        /// <summary>Tokens issued per user (hex of the user id) in this period.</summary>
        public Dictionary<string, int> IssuedTo { get; } = [];
    }
}
