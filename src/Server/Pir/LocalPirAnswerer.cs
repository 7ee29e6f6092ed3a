using Privomega.Pir.Engine;
using Privomega.Protocol.Api;

namespace Privomega.Server.Pir;

/// <summary>
/// <see cref="IPirAnswerer"/> on one machine: the snapshot in the engine's aligned native memory, answered by
/// the engine's XOR (bit-vector and DPF) servers. Owns the database.
/// </summary>
public sealed class LocalPirAnswerer : IPirAnswerer
{
    private readonly PirDatabase _database;
    private readonly XorPirServer _xor;
    private readonly DpfPirServer _dpf;

    /// <summary>Takes ownership of <paramref name="database"/>.</summary>
    public LocalPirAnswerer(PirDatabaseKind kind, ulong snapshotId, PirDatabase database, int threads)
    {
        ArgumentNullException.ThrowIfNull(database);
        Database = kind;
        SnapshotId = snapshotId;
        _database = database;
        _xor = new XorPirServer(database, threads);
        _dpf = new DpfPirServer(database, threads);
    }

    /// <inheritdoc />
    public PirDatabaseKind Database { get; }

    /// <inheritdoc />
    public ulong SnapshotId { get; }

    /// <inheritdoc />
    public long RecordCount => _database.RecordCount;

    /// <inheritdoc />
    public int RecordBytes => _database.RecordBytes;

    /// <summary>The served schemes as the config bitmask.</summary>
    public static byte SchemeMask => (1 << (int)PirSchemeKind.XorBitVector) | (1 << (int)PirSchemeKind.XorDpf);

    /// <inheritdoc />
    public bool Serves(PirSchemeKind scheme) => scheme is PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf;

    /// <inheritdoc />
    public ValueTask<PirAnswer[]> AnswerAsync(PirSchemeKind scheme, PirQuery[] queries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queries);
        IPirServer server = scheme switch
        {
            PirSchemeKind.XorBitVector => _xor,
            PirSchemeKind.XorDpf => _dpf,
            _ => throw new ArgumentException($"Scheme {scheme} is not served; expected XorBitVector or XorDpf.", nameof(scheme)),
        };
        return ValueTask.FromResult(server.AnswerBatch(queries));
    }

    /// <inheritdoc />
    public void Dispose() => _database.Dispose();
}
