namespace Privomega.Server.Domain;

/// <summary>
/// Epoch arithmetic from one origin (stored, so epoch numbers survive restarts): epoch <c>t</c> covers
/// <c>[origin + t·E, origin + (t+1)·E)</c>, mail epoch <c>m</c> likewise with the mail epoch length,
/// token period <c>p</c> with the token period length.
/// </summary>
public sealed class ServerClock
{
    private readonly TimeProvider _time;

    /// <summary>Creates the clock.</summary>
    public ServerClock(TimeProvider time, DateTimeOffset origin, TimeSpan epoch, TimeSpan mailEpoch, TimeSpan tokenPeriod)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        Origin = origin;
        Epoch = epoch;
        MailEpoch = mailEpoch;
        TokenPeriod = tokenPeriod;
    }

    /// <summary>Start of epoch 0.</summary>
    public DateTimeOffset Origin { get; }

    /// <summary>Epoch length.</summary>
    public TimeSpan Epoch { get; }

    /// <summary>Mail epoch length.</summary>
    public TimeSpan MailEpoch { get; }

    /// <summary>Token key period length.</summary>
    public TimeSpan TokenPeriod { get; }

    /// <summary>Now.</summary>
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <summary>The time source.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>The current epoch.</summary>
    public ulong CurrentEpoch => EpochAt(Now);

    /// <summary>The current mail epoch.</summary>
    public ulong CurrentMailEpoch => Index(Now, MailEpoch);

    /// <summary>The current token period.</summary>
    public long CurrentTokenPeriod => (long)Index(Now, TokenPeriod);

    /// <summary>The epoch containing <paramref name="at"/>.</summary>
    public ulong EpochAt(DateTimeOffset at) => Index(at, Epoch);

    /// <summary>When epoch <paramref name="epoch"/> starts.</summary>
    public DateTimeOffset EpochStart(ulong epoch) => Origin + (Epoch * epoch);

    /// <summary>When mail epoch <paramref name="mailEpoch"/> starts.</summary>
    public DateTimeOffset MailEpochStart(ulong mailEpoch) => Origin + (MailEpoch * mailEpoch);

    private ulong Index(DateTimeOffset at, TimeSpan length) => at <= Origin ? 0 : (ulong)((at - Origin).Ticks / length.Ticks);
}
