using System.Security.Cryptography;
using Privomega.Client.Transport;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;
using Privomega.Protocol.Api;

namespace Privomega.Client.Pir;

/// <summary>
/// Reads records of one database snapshot privately, with the configured scheme: XOR bit-vector
/// or DPF queries split between primary and replica, or lattice queries to the primary alone
/// (its evaluation keys uploaded once per key period under an id bound to a fresh secret, DESIGN
/// "Evaluation keys"). Counts the bytes it sends and receives.
/// </summary>
public sealed class PrivateReader
{
    /// <summary>Queries per batch request (the servers' default <c>Limits:PirBatch</c>).</summary>
    public const int MaxBatch = 8;

    private static readonly byte[] NoKeyId = new byte[PirBatchRequest.KeyIdSize];

    private readonly IPrivomegaServer _primary;
    private readonly IPrivomegaServer? _replica;
    private readonly LatticeKeyring? _lattice;

    /// <summary>Creates a reader for <paramref name="scheme"/>; XOR and DPF need the replica.</summary>
    public PrivateReader(PirSchemeKind scheme, IPrivomegaServer primary, IPrivomegaServer? replica, LatticeKeyring? lattice)
    {
        ArgumentNullException.ThrowIfNull(primary);
        if (scheme is PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf && replica is null)
        {
            throw new ArgumentException($"Scheme {scheme} needs two non-colluding servers; no replica given.", nameof(replica));
        }

        if (scheme is not (PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf or PirSchemeKind.Lattice))
        {
            throw new ArgumentOutOfRangeException(nameof(scheme), scheme, "Expected XorBitVector, XorDpf or Lattice.");
        }

        if (scheme == PirSchemeKind.Lattice && lattice is null)
        {
            throw new ArgumentException("Lattice PIR needs a keyring.", nameof(lattice));
        }

        Scheme = scheme;
        _primary = primary;
        _replica = replica;
        _lattice = lattice;
    }

    /// <summary>The scheme.</summary>
    public PirSchemeKind Scheme { get; }

    /// <summary>Bytes sent in queries so far (both servers).</summary>
    public long BytesUp { get; private set; }

    /// <summary>Bytes received in answers so far (both servers).</summary>
    public long BytesDown { get; private set; }

    /// <summary>
    /// The snapshot to read: the primary's latest, or, when the replica (which serves only snapshots it
    /// verified) is one behind, the replica's — the primary keeps serving the previous snapshot too.
    /// </summary>
    public async Task<PirConfig> GetConfigAsync(PirDatabaseKind database, CancellationToken cancellationToken)
    {
        var primary = await _primary.GetPirConfigAsync(database, cancellationToken).ConfigureAwait(false);
        if (Scheme == PirSchemeKind.Lattice || _replica is null)
        {
            return primary;
        }

        var replica = await _replica.GetPirConfigAsync(database, cancellationToken).ConfigureAwait(false);
        return replica.SnapshotId < primary.SnapshotId ? replica : primary;
    }

    /// <summary>
    /// Reads records <paramref name="indexes"/> of the snapshot <paramref name="config"/> describes.
    /// <paramref name="tokens"/> gives one token per batch sent to the primary (mailbox reads spend
    /// one; pass null for the directory).
    /// </summary>
    public async Task<byte[][]> ReadAsync(PirConfig config, IReadOnlyList<long> indexes, Func<CancellationToken, Task<byte[]>>? tokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(indexes);
        var client = await CreateClientAsync(config, cancellationToken).ConfigureAwait(false);
        var results = new byte[indexes.Count][];
        try
        {
            for (var start = 0; start < indexes.Count; start += MaxBatch)
            {
                var batch = indexes.Skip(start).Take(MaxBatch).ToArray();
                var recovered = await ReadBatchAsync(client.Client, client.KeyId, config, batch, tokens, cancellationToken).ConfigureAwait(false);
                recovered.CopyTo(results, start);
            }

            return results;
        }
        finally
        {
            (client.Client as IDisposable)?.Dispose();
        }
    }

    private async Task<byte[][]> ReadBatchAsync(IPirClient client, byte[] keyId, PirConfig config, long[] indexes, Func<CancellationToken, Task<byte[]>>? tokens, CancellationToken cancellationToken)
    {
        var queries = new PirQuery[indexes.Length][];
        try
        {
            for (var i = 0; i < indexes.Length; i++)
            {
                queries[i] = client.Query(indexes[i]);
            }

            var token = tokens is null ? [] : await tokens(cancellationToken).ConfigureAwait(false);
            var toPrimary = new PirBatchRequest(Scheme, keyId, token, queries.Select(q => (ReadOnlyMemory<byte>)q[0].Encode()).ToArray());
            var primaryTask = _primary.AnswerAsync(config.Database, config.SnapshotId, toPrimary, cancellationToken);
            Task<IReadOnlyList<byte[]>>? replicaTask = null;
            PirBatchRequest? toReplica = null;
            if (client.ServerCount == 2)
            {
                toReplica = new PirBatchRequest(Scheme, NoKeyId, Array.Empty<byte>(), queries.Select(q => (ReadOnlyMemory<byte>)q[1].Encode()).ToArray());
                replicaTask = _replica!.AnswerAsync(config.Database, config.SnapshotId, toReplica, cancellationToken);
            }

            var primaryAnswers = await primaryTask.ConfigureAwait(false);
            var replicaAnswers = replicaTask is null ? null : await replicaTask.ConfigureAwait(false);
            BytesUp += toPrimary.Queries.Sum(q => q.Length) + (toReplica?.Queries.Sum(q => q.Length) ?? 0);
            BytesDown += primaryAnswers.Sum(a => a.Length) + (replicaAnswers?.Sum(a => a.Length) ?? 0);
            if (primaryAnswers.Count != indexes.Length || (replicaAnswers is not null && replicaAnswers.Count != indexes.Length))
            {
                throw new ServerRejectedException($"A server answered {primaryAnswers.Count}/{replicaAnswers?.Count} of {indexes.Length} queries.");
            }

            var records = new byte[indexes.Length][];
            for (var i = 0; i < indexes.Length; i++)
            {
                var answers = replicaAnswers is null
                    ? new[] { DecodeAnswer(primaryAnswers[i], config, client) }
                    : [DecodeAnswer(primaryAnswers[i], config, client), DecodeAnswer(replicaAnswers[i], config, client)];
                records[i] = client.Recover(indexes[i], answers);
            }

            return records;
        }
        finally
        {
            foreach (var pair in queries)
            {
                foreach (var query in pair ?? [])
                {
                    (query as IDisposable)?.Dispose();
                }
            }
        }
    }

    private PirAnswer DecodeAnswer(byte[] bytes, PirConfig config, IPirClient client)
    {
        PirAnswer? answer;
        PirDecodeError error;
        var ok = Scheme switch
        {
            PirSchemeKind.Lattice => LatticeAnswerDecode(bytes, ((LatticeKeyring.BorrowedLatticeClient)client).Parameters, out answer, out error),
            _ => XorAnswerDecode(bytes, config.RecordBytes, Scheme, out answer, out error),
        };
        return ok ? answer! : throw new ServerRejectedException($"A PIR answer does not decode: {error}.");
    }

    private static bool XorAnswerDecode(byte[] bytes, int recordBytes, PirSchemeKind scheme, out PirAnswer? answer, out PirDecodeError error)
    {
        var ok = XorAnswer.TryDecode(bytes, recordBytes, out var xor, out error, scheme);
        answer = xor;
        return ok;
    }

    private static bool LatticeAnswerDecode(byte[] bytes, LatticePirParameters parameters, out PirAnswer? answer, out PirDecodeError error)
    {
        var ok = LatticeAnswer.TryDecode(bytes, parameters, out var lattice, out error);
        answer = lattice;
        return ok;
    }

    private async Task<(IPirClient Client, byte[] KeyId)> CreateClientAsync(PirConfig config, CancellationToken cancellationToken)
    {
        if (config.RecordCount < 1 || config.RecordBytes < 1)
        {
            throw new ServerRejectedException($"The {config.Database} snapshot has {config.RecordCount} records of {config.RecordBytes} bytes; nothing to read.");
        }

        return Scheme switch
        {
            PirSchemeKind.XorBitVector => (new XorPirClient(config.RecordCount, config.RecordBytes), NoKeyId),
            PirSchemeKind.XorDpf => (new DpfPirClient(config.RecordCount, config.RecordBytes), NoKeyId),
            _ => await _lattice!.GetAsync(_primary, config, cancellationToken).ConfigureAwait(false),
        };
    }
}

/// <summary>
/// A client's lattice evaluation keys: one secret key and Galois key set per database layout and key
/// period, uploaded once under <c>key_id = H(period ‖ binding_secret)</c> with a secret drawn fresh
/// for every period, so the id never links reads across periods.
/// </summary>
public sealed class LatticeKeyring : IDisposable
{
    private readonly Dictionary<(PirDatabaseKind, long, int, int, ulong), (LatticePirClient Client, byte[] KeyId)> _clients = [];
    private readonly Func<ulong> _period;

    /// <summary>Creates a keyring; <paramref name="period"/> returns the current key period.</summary>
    public LatticeKeyring(Func<ulong> period)
    {
        ArgumentNullException.ThrowIfNull(period);
        _period = period;
    }

    /// <summary>Bytes of evaluation keys uploaded so far.</summary>
    public long BytesUploaded { get; private set; }

    internal async Task<(IPirClient Client, byte[] KeyId)> GetAsync(IPrivomegaServer primary, PirConfig config, CancellationToken cancellationToken)
    {
        var period = _period();
        var key = (config.Database, config.RecordCount, config.RecordBytes, (int)config.LatticeDimensions, period);
        if (_clients.TryGetValue(key, out var known))
        {
            return (new BorrowedLatticeClient(known.Client), known.KeyId);
        }

        foreach (var stale in _clients.Where(c => c.Key.Item1 == config.Database).ToList())
        {
            stale.Value.Client.Dispose();
            _clients.Remove(stale.Key);
        }

        var parameters = LatticePirPlanner.Plan(config.RecordCount, config.RecordBytes, dimensions: config.LatticeDimensions == 0 ? null : config.LatticeDimensions);
        var secret = RandomNumberGenerator.GetBytes(EvalKeyUpload.SecretSize);
        try
        {
            var keyId = EvalKeyUpload.KeyId(period, secret);
            var client = new LatticePirClient(parameters);
            var galois = client.GaloisKeys.Encode();
            var receipt = await primary.UploadEvaluationKeysAsync(new EvalKeyUpload(period, secret, config.Database, galois), cancellationToken).ConfigureAwait(false);
            if (!receipt.AsSpan().SequenceEqual(keyId))
            {
                client.Dispose();
                throw new ServerRejectedException("The server filed the evaluation keys under another id than the binding secret gives.");
            }

            BytesUploaded += galois.Length;
            _clients[key] = (client, keyId);
            return (new BorrowedLatticeClient(client), keyId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var entry in _clients.Values)
        {
            entry.Client.Dispose();
        }

        _clients.Clear();
    }

    // The reader disposes the clients it gets; the keyring keeps owning the lattice ones.
    internal sealed class BorrowedLatticeClient(LatticePirClient inner) : IPirClient
    {
        public PirSchemeKind Scheme => inner.Scheme;

        public int ServerCount => inner.ServerCount;

        public int RecordBytes => inner.RecordBytes;

        public LatticePirParameters Parameters => inner.Parameters;

        public PirEvaluationKey? EvaluationKey => inner.EvaluationKey;

        public PirQuery[] Query(long index) => [inner.Query(index)];

        public byte[] Recover(long index, ReadOnlySpan<PirAnswer> answers) => inner.Recover(index, answers);
    }
}
