using System.Diagnostics.Metrics;
using Privomega.Server;
using Privomega.Server.Domain;
using Privomega.Server.Storage;

namespace Privomega.Pir.Bench.Sda;

/// <summary>
/// The Privomega server's domain services (directory, tokens, mailboxes), composed in process on the in-memory store behind
/// the same <see cref="IServerStore"/> interface the SQLite store implements — no HTTP, no disk — on a clock the driver sets,
/// so each mail epoch ends exactly when the driver has made its requests. Every measurement it feeds reads the server's own
/// records: the store's tables and the meter's instruments.
/// </summary>
public sealed class InProcessServer : IDisposable
{
    private readonly LocalMeterFactory meters = new();
    private readonly MeterListener listener = new();
    private long mailPutsMeasured;

    private InProcessServer(ManualTimeProvider time, InMemoryServerStore store, ServerOptions options)
    {
        Time = time;
        Store = store;
        Options = options;
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServerMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (KeyValuePair<string, object?> tag in tags)
            {
                lock (MetricTagKeys)
                {
                    MetricTagKeys.Add(tag.Key);
                }
            }

            if (instrument.Name == "privomega.mail.puts")
            {
                Interlocked.Add(ref mailPutsMeasured, value);
            }
        });
        listener.Start();
    }

    public ManualTimeProvider Time { get; }

    public InMemoryServerStore Store { get; }

    public ServerOptions Options { get; }

    /// <summary>The server's domain services, composed as the host composes them.</summary>
    public PrimaryServices Services { get; private set; } = null!;

    public ServerClock Clock => Services.Clock;

    public DirectoryService Directory => Services.Directory;

    public TokenService Tokens => Services.Tokens;

    public MailboxService Mailbox => Services.Mailbox;

    /// <summary>Sum of the <c>privomega.mail.puts</c> counter the server's meter reported.</summary>
    public long MailPutsMeasured => Interlocked.Read(ref mailPutsMeasured);

    /// <summary>Every tag key any of the server's instruments reported a measurement with.</summary>
    public HashSet<string> MetricTagKeys { get; } = [];

    /// <summary>
    /// Starts a primary with the development profile, proof of work off (the driver registers every simulated user),
    /// certificates valid for the whole run, and <paramref name="retentionEpochs"/> mail epochs of retention.
    /// </summary>
    public static async Task<InProcessServer> StartAsync(int mailEpochs, int retentionEpochs, CancellationToken cancellationToken = default)
    {
        var options = new ServerOptions { Storage = "memory", Profile = "development" };
        options.ApplyDevelopmentProfile();
        options.PowDifficulty = 0;
        options.MailRetentionEpochs = retentionEpochs;
        int mailPerEpoch = Math.Max(1, options.EpochSeconds * 1000 / options.MailEpochMilliseconds);
        options.CertificateEpochs = Math.Max(options.CertificateEpochs, (mailEpochs / mailPerEpoch) + 4);
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var server = new InProcessServer(time, new InMemoryServerStore(), options);
        try
        {
            server.Services = await PrimaryServices.CreateAsync(server.Store, options, time, server.meters, cancellationToken);
            return server;
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>Mail epochs per epoch (epoch heads are published every that many mail epochs).</summary>
    public int MailEpochsPerEpoch => Math.Max(1, (int)(Options.Epoch.Ticks / Options.MailEpoch.Ticks));

    /// <summary>Moves the clock just inside mail epoch <paramref name="mailEpoch"/>.</summary>
    public void EnterMailEpoch(ulong mailEpoch) => Time.Set(Clock.MailEpochStart(mailEpoch) + TimeSpan.FromMilliseconds(1));

    public void Dispose()
    {
        listener.Dispose();
        Services?.Dispose();
        Store.Dispose();
        meters.Dispose();
    }

    private sealed class LocalMeterFactory : IMeterFactory
    {
        private readonly List<Meter> created = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            lock (created)
            {
                created.Add(meter);
            }

            return meter;
        }

        public void Dispose()
        {
            lock (created)
            {
                created.ForEach(m => m.Dispose());
                created.Clear();
            }
        }
    }
}

/// <summary>A clock the driver moves by hand (the server reads time only through its <see cref="TimeProvider"/>).</summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private long ticks = start.UtcTicks;

    public override DateTimeOffset GetUtcNow() => new(Interlocked.Read(ref ticks), TimeSpan.Zero);

    public void Set(DateTimeOffset now)
    {
        if (now.UtcTicks < Interlocked.Read(ref ticks))
        {
            throw new ArgumentException($"time only moves forward; found {now:O}, now {GetUtcNow():O}", nameof(now));
        }

        Interlocked.Exchange(ref ticks, now.UtcTicks);
    }
}
