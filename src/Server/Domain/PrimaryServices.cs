using System.Diagnostics.Metrics;
using Privomega.Server.Pir;
using Privomega.Server.Storage;

namespace Privomega.Server.Domain;

/// <summary>
/// The primary's domain services composed over one store, usable without HTTP (the privacy measurements drive
/// them in process): registration and heads, mail, queue, tokens, evaluation keys, PIR. <see cref="TickAsync"/>
/// does what the epoch scheduler does at a boundary.
/// </summary>
public sealed class PrimaryServices : IDisposable
{
    private PrimaryServices(IServerStore store, ServerOptions options, ServerKeys keys, ServerClock clock, ServerMetrics metrics)
    {
        Store = store;
        Options = options;
        Keys = keys;
        Clock = clock;
        Metrics = metrics;
        Catalog = new PirCatalog();
        Directory = new DirectoryService(store, keys, clock, options, Catalog, metrics);
        Tokens = new TokenService(store, keys, clock, options, c => Directory.ValidIn(c, clock.CurrentEpoch));
        Mailbox = new MailboxService(store, keys, clock, options, Tokens, Catalog, metrics);
        Queue = new QueueService(store, clock, metrics);
        var evalKeyCache = new EvalKeyCache(store, clock);
        EvalKeys = new EvalKeyService(store, clock, Catalog, evalKeyCache);
        Pir = new PirService(Catalog, options, metrics, Tokens, evalKeyCache);
    }

    /// <summary>The store.</summary>
    public IServerStore Store { get; }

    /// <summary>The options.</summary>
    public ServerOptions Options { get; }

    /// <summary>The server's secrets.</summary>
    public ServerKeys Keys { get; }

    /// <summary>Epoch arithmetic.</summary>
    public ServerClock Clock { get; }

    /// <summary>Instruments.</summary>
    public ServerMetrics Metrics { get; }

    /// <summary>Served PIR snapshots.</summary>
    public PirCatalog Catalog { get; }

    /// <summary>Registration, log, keydir_t, epoch heads.</summary>
    public DirectoryService Directory { get; }

    /// <summary>Anonymous tokens.</summary>
    public TokenService Tokens { get; }

    /// <summary>Mail and mailbox snapshots.</summary>
    public MailboxService Mailbox { get; }

    /// <summary>Matchmaking queue.</summary>
    public QueueService Queue { get; }

    /// <summary>Lattice evaluation keys.</summary>
    public EvalKeyService EvalKeys { get; }

    /// <summary>PIR batches.</summary>
    public PirService Pir { get; }

    /// <summary>Creates the services, loading (or creating) the server's secrets and state from <paramref name="store"/>.</summary>
    public static async Task<PrimaryServices> CreateAsync(IServerStore store, ServerOptions options, TimeProvider time, IMeterFactory meterFactory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        var keys = await ServerKeys.LoadAsync(store, time, cancellationToken).ConfigureAwait(false);
        var clock = new ServerClock(time, keys.Origin, options.Epoch, options.MailEpoch, TimeSpan.FromSeconds(options.TokenPeriodSeconds));
        var services = new PrimaryServices(store, options, keys, clock, new ServerMetrics(meterFactory));
        await services.Directory.LoadAsync(cancellationToken).ConfigureAwait(false);
        await services.Mailbox.LoadAsync(cancellationToken).ConfigureAwait(false);
        return services;
    }

    /// <summary>Publishes what is due: the epoch head when an epoch began, the mailbox snapshot when a mail epoch ended.</summary>
    public async Task TickAsync(CancellationToken cancellationToken = default)
    {
        if (Directory.LatestHead is null || Directory.LatestHead.Epoch < Clock.CurrentEpoch)
        {
            await Directory.PublishEpochAsync(Mailbox.LatestHead, cancellationToken).ConfigureAwait(false);
        }

        await Mailbox.FreezeAsync(Directory.LatestHead, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Mailbox.Dispose();
        Directory.Dispose();
        Tokens.Dispose();
        Catalog.Dispose();
        Metrics.Dispose();
        Keys.Dispose();
    }
}
