using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;
using Privomega.Protocol.Api;

namespace Privomega.Server.Pir;

/// <summary>
/// <see cref="IPirAnswerer"/> on one machine: the snapshot in the engine's aligned native memory, answered by
/// the engine's XOR (bit-vector and DPF) servers and, when asked to (the primary), the lattice server, whose
/// preprocessed copy of the snapshot is built on the first lattice batch. Owns the database.
/// </summary>
public sealed class LocalPirAnswerer : IPirAnswerer
{
    private readonly PirDatabase _database;
    private readonly XorPirServer _xor;
    private readonly DpfPirServer _dpf;
    private readonly Lazy<LatticePirServer>? _lattice;

    /// <summary>Takes ownership of <paramref name="database"/>; <paramref name="lattice"/> also serves lattice PIR.</summary>
    public LocalPirAnswerer(PirDatabaseKind kind, ulong snapshotId, PirDatabase database, int threads, bool lattice = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        Database = kind;
        SnapshotId = snapshotId;
        _database = database;
        _xor = new XorPirServer(database, threads);
        _dpf = new DpfPirServer(database, threads);
        if (lattice && LatticeFits(database))
        {
            LatticeParameters = LatticePirPlanner.Plan(database.RecordCount, database.RecordBytes);
            var parameters = LatticeParameters;
            _lattice = new Lazy<LatticePirServer>(() => new LatticePirServer(database, parameters, threads), LazyThreadSafetyMode.ExecutionAndPublication);
        }
    }

    private static bool LatticeFits(PirDatabase database)
    {
        try
        {
            _ = LatticePirPlanner.Plan(database.RecordCount, database.RecordBytes);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            return false; // beyond the planner's shapes: XOR only
        }
    }

    /// <summary>The lattice layout of this snapshot, or null when lattice PIR is not served.</summary>
    public LatticePirParameters? LatticeParameters { get; }

    /// <inheritdoc />
    public PirDatabaseKind Database { get; }

    /// <inheritdoc />
    public ulong SnapshotId { get; }

    /// <inheritdoc />
    public long RecordCount => _database.RecordCount;

    /// <inheritdoc />
    public int RecordBytes => _database.RecordBytes;

    /// <summary>The XOR schemes as the config bitmask (what a replica serves).</summary>
    public static byte SchemeMask => (1 << (int)PirSchemeKind.XorBitVector) | (1 << (int)PirSchemeKind.XorDpf);

    /// <summary>The XOR schemes plus lattice as the config bitmask (what the primary serves).</summary>
    public static byte PrimarySchemeMask => (byte)(SchemeMask | (1 << (int)PirSchemeKind.Lattice));

    /// <inheritdoc />
    public bool Serves(PirSchemeKind scheme) => scheme is PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf || (scheme == PirSchemeKind.Lattice && _lattice is not null);

    /// <inheritdoc />
    public ValueTask<PirAnswer[]> AnswerAsync(PirSchemeKind scheme, PirQuery[] queries, PirEvaluationKey? evaluationKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queries);
        if (scheme == PirSchemeKind.Lattice && _lattice is not null)
        {
            ArgumentNullException.ThrowIfNull(evaluationKey);
            var keys = new PirEvaluationKey[queries.Length];
            Array.Fill(keys, evaluationKey);
            return ValueTask.FromResult(_lattice.Value.AnswerBatch(queries, keys));
        }

        IPirServer server = scheme switch
        {
            PirSchemeKind.XorBitVector => _xor,
            PirSchemeKind.XorDpf => _dpf,
            _ => throw new ArgumentException($"Scheme {scheme} is not served; expected XorBitVector or XorDpf.", nameof(scheme)),
        };
        return ValueTask.FromResult(server.AnswerBatch(queries));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_lattice is { IsValueCreated: true })
        {
            _lattice.Value.Dispose();
        }

        _database.Dispose();
    }
}
