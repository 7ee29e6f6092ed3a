using System.Diagnostics.Metrics;

namespace Privomega.Server;

/// <summary>
/// The server's instruments (meter <see cref="MeterName"/>, exported at /metrics). Tags are only scheme,
/// database, result and route names: never a mailbox id, a certificate, a token, a query or an address,
/// so the metrics hold no more than the leakage contract allows (counts of reads, writes, registrations).
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "Privomega.Server";

    private readonly Meter _meter;
    private readonly Histogram<double> _pirSeconds;
    private readonly Histogram<double> _snapshotSeconds;
    private readonly Histogram<long> _snapshotRecords;
    private long _queueLength;

    /// <summary>Creates the instruments on a meter from <paramref name="factory"/>.</summary>
    public ServerMetrics(IMeterFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        _meter = factory.Create(MeterName);
        Registrations = _meter.CreateCounter<long>("privomega.registrations", description: "Certificates issued.");
        MailPuts = _meter.CreateCounter<long>("privomega.mail.puts", description: "Mail messages stored.");
        QueuePosts = _meter.CreateCounter<long>("privomega.queue.posts", description: "Matchmaking requests queued.");
        TokensIssued = _meter.CreateCounter<long>("privomega.tokens.issued", description: "Token requests answered.");
        ReplicaRejected = _meter.CreateCounter<long>("privomega.replica.rejected", description: "Snapshots or heads the replica refused.");
        ReplicaAccepted = _meter.CreateCounter<long>("privomega.replica.accepted", description: "Snapshots the replica verified and serves.");
        _pirSeconds = _meter.CreateHistogram<double>("privomega.pir.answer.duration", unit: "s", description: "Time to answer one PIR batch.");
        _snapshotSeconds = _meter.CreateHistogram<double>("privomega.snapshot.build.duration", unit: "s", description: "Time to build a snapshot.");
        _snapshotRecords = _meter.CreateHistogram<long>("privomega.snapshot.records", unit: "{record}", description: "Records per snapshot built.");
        _meter.CreateObservableGauge("privomega.queue.length", () => Interlocked.Read(ref _queueLength), unit: "{request}", description: "Requests in the current epoch's queue.");
    }

    /// <summary>Certificates issued.</summary>
    public Counter<long> Registrations { get; }

    /// <summary>Mail stored.</summary>
    public Counter<long> MailPuts { get; }

    /// <summary>Matchmaking requests queued.</summary>
    public Counter<long> QueuePosts { get; }

    /// <summary>Token requests answered.</summary>
    public Counter<long> TokensIssued { get; }

    /// <summary>Snapshots or heads the replica refused.</summary>
    public Counter<long> ReplicaRejected { get; }

    /// <summary>Snapshots the replica accepted.</summary>
    public Counter<long> ReplicaAccepted { get; }

    /// <summary>Records one PIR batch's answer time.</summary>
    public void PirAnswered(string database, string scheme, TimeSpan elapsed) =>
        _pirSeconds.Record(elapsed.TotalSeconds, new KeyValuePair<string, object?>("database", database), new KeyValuePair<string, object?>("scheme", scheme));

    /// <summary>Records one snapshot build.</summary>
    public void SnapshotBuilt(string database, long records, TimeSpan elapsed)
    {
        var tag = new KeyValuePair<string, object?>("database", database);
        _snapshotSeconds.Record(elapsed.TotalSeconds, tag);
        _snapshotRecords.Record(records, tag);
    }

    /// <summary>Sets the current queue length.</summary>
    public void SetQueueLength(long length) => Interlocked.Exchange(ref _queueLength, length);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
