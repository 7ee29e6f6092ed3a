using Privomega.Server.Domain;

namespace Privomega.Server.Hosting;

/// <summary>
/// The primary's clock-driven work (issue item 4): at every mail-epoch boundary the mailbox snapshot and its
/// signed mail head, at every epoch boundary keydir_t, the directory PIR database and the signed epoch head.
/// Ticks four times per mail epoch so a boundary is acted on within a quarter of a mail epoch.
/// </summary>
public sealed partial class EpochScheduler(PrimaryServices services, ILogger<EpochScheduler> logger) : BackgroundService
{
    /// <inheritdoc />
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        // The first heads and snapshots exist before the server accepts requests.
        await TickAsync(cancellationToken).ConfigureAwait(false);
        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task TickAsync(CancellationToken cancellationToken)
    {
        var before = services.Directory.LatestHead?.Epoch;
        await services.TickAsync(cancellationToken).ConfigureAwait(false);
        if (services.Directory.LatestHead is { } head && head.Epoch != before)
        {
            LogEpoch(logger, head.Epoch, head.DirectorySize);
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(25, services.Options.MailEpochMilliseconds / 4)), services.Clock.TimeProvider);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await TickAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogTickFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "epoch {Epoch} published, keydir size {Size}")]
    private static partial void LogEpoch(ILogger logger, ulong epoch, long size);

    [LoggerMessage(Level = LogLevel.Error, Message = "epoch tick failed")]
    private static partial void LogTickFailed(ILogger logger, Exception exception);
}
