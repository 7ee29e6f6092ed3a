using System.Security.Cryptography;
using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;
using Privomega.Server.Pir;
using Privomega.Server.Storage;

namespace Privomega.Server.Domain;

/// <summary>
/// Registration, the key-transparency log, <c>keydir_t</c> and the epoch heads (primary). Registration
/// appends to the log; at each epoch <see cref="PublishEpochAsync"/> builds <c>keydir_t</c> from the
/// certificates valid in <c>t</c>, its PIR database, and signs the head. Records: that an identity
/// registered (the certificate), nothing else.
/// </summary>
public sealed class DirectoryService : IDisposable
{
    private readonly IServerStore _store;
    private readonly ServerKeys _keys;
    private readonly ServerClock _clock;
    private readonly ServerOptions _options;
    private readonly PirCatalog _catalog;
    private readonly ServerMetrics _metrics;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly MerkleLog _log = new();
    private readonly List<Certificate> _certificates = [];
    private readonly Dictionary<ulong, EpochDirectory> _directories = [];

    /// <summary>Creates the service; call <see cref="LoadAsync"/> before use.</summary>
    public DirectoryService(IServerStore store, ServerKeys keys, ServerClock clock, ServerOptions options, PirCatalog catalog, ServerMetrics metrics)
    {
        _store = store;
        _keys = keys;
        _clock = clock;
        _options = options;
        _catalog = catalog;
        _metrics = metrics;
    }

    /// <summary>The latest head, or null before the first.</summary>
    public EpochHead? LatestHead { get; private set; }

    /// <summary>Loads the log and the latest head from the store.</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await CatchUpLogAsync(cancellationToken).ConfigureAwait(false);
            var latest = await _store.GetLatestEpochHeadAsync(cancellationToken).ConfigureAwait(false);
            LatestHead = latest is null ? null : EpochHead.Decode(latest);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>True when <paramref name="certificate"/>'s validity window contains epoch <paramref name="epoch"/>.</summary>
    public bool ValidIn(Certificate certificate, ulong epoch)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var issued = _clock.EpochAt(DateTimeOffset.FromUnixTimeSeconds((long)Math.Min(certificate.IssuedAt, long.MaxValue / 1000)));
        return epoch >= issued && epoch < issued + (ulong)_options.CertificateEpochs;
    }

    /// <summary>Registers an identity: checks the proof of work and the keys, issues and logs the certificate.</summary>
    public async Task<Certificate> RegisterAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!RegisterRequest.TryDecode(body.Span, out var request, out var error))
        {
            throw ServerProblemException.Decode(error);
        }

        if (!Ed25519PublicKey.TryImport(request.VrfKey.Span, out var vrf) || !X25519PublicKey.TryImport(request.DhKey.Span, out var dh))
        {
            throw new ServerProblemException(400, "bad-value", "public key is not a valid point", "public_key");
        }

        if (request.PowDifficulty < _options.PowDifficulty || request.PowDifficulty > 64 || !ProofOfWork.Verify(vrf, dh, request.PowDifficulty, request.PowNonce))
        {
            throw new ServerProblemException(400, "bad-proof-of-work", "proof of work does not verify", "pow_difficulty", request.PowDifficulty, _options.PowDifficulty);
        }

        var issuedAt = (ulong)_clock.Now.ToUnixTimeSeconds();
        var certificate = Certificate.Issue(_keys.Signing, vrf, dh, issuedAt, request.PowNonce, request.PowDifficulty);
        var keyHash = SHA256.HashData([.. request.VrfKey.Span, .. request.DhKey.Span]);
        var index = await _store.TryAppendCertificateAsync(keyHash, certificate.Encode(), issuedAt, cancellationToken).ConfigureAwait(false);
        if (index is null)
        {
            throw new ServerProblemException(409, "duplicate-key", "these public keys are already registered");
        }

        _metrics.Registrations.Add(1);
        return certificate;
    }

    /// <summary>
    /// Publishes the head of the current epoch (and of any epoch missed while the server was down, so the chain
    /// stays consecutive): keydir_t, its PIR database, the signed head. Returns the newest head.
    /// </summary>
    public async Task<EpochHead> PublishEpochAsync(MailHead? latestMail, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var target = _clock.CurrentEpoch;
            await CatchUpLogAsync(cancellationToken).ConfigureAwait(false);
            var next = LatestHead is null ? target : LatestHead.Epoch + 1;
            if (LatestHead is not null && LatestHead.Epoch >= target)
            {
                EnsureDirectory(LatestHead.Epoch);
                return LatestHead;
            }

            for (var t = next; t <= target; t++)
            {
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                var directory = EnsureDirectory(t);
                var nonce = RandomNumberGenerator.GetBytes(32);
                var head = EpochHead.Sign(
                    _keys.Signing,
                    t,
                    (ulong)Math.Max(_clock.Now.ToUnixTimeMilliseconds(), (long)(LatestHead?.TimeMilliseconds ?? 0)),
                    nonce,
                    directory.Tree?.Size ?? 0,
                    directory.Tree is null ? MerkleHash.EmptyRoot : directory.Tree.Root,
                    _log.Size,
                    _log.Root(),
                    latestMail?.MailEpoch ?? 0,
                    latestMail is null ? new byte[32] : latestMail.SnapshotDigest,
                    LatestHead is null ? new byte[32] : LatestHead.Hash());
                if (!await _store.TryAddEpochHeadAsync(t, head.Encode(), cancellationToken).ConfigureAwait(false))
                {
                    // A head for t is already durable (written before a restart): it is the one, never a second.
                    head = EpochHead.Decode((await _store.GetEpochHeadAsync(t, cancellationToken).ConfigureAwait(false))!);
                }

                LatestHead = head;
                _metrics.SnapshotBuilt("directory", directory.Tree?.Size ?? 0, System.Diagnostics.Stopwatch.GetElapsedTime(started));
            }

            foreach (var old in _directories.Keys.Where(k => k + (ulong)_options.CertificateEpochs < target).ToList())
            {
                _directories[old].Dispose();
                _directories.Remove(old);
            }

            return LatestHead!;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The log consistency proof between the log sizes of heads <paramref name="from"/> and <paramref name="to"/>.</summary>
    public async Task<MerkleProofMessage> ConsistencyAsync(ulong from, ulong to, CancellationToken cancellationToken)
    {
        if (from > to)
        {
            throw new ServerProblemException(400, "bad-value", "from must not exceed to", "from", (long)Math.Min(from, long.MaxValue), (long)Math.Min(to, long.MaxValue));
        }

        var a = await HeadAsync(from, cancellationToken).ConfigureAwait(false);
        var b = await HeadAsync(to, cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var proof = _log.GetConsistencyProof(a.LogSize, b.LogSize);
            return new MerkleProofMessage(0, (ulong)a.LogSize, (ulong)b.LogSize, proof);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A user's own inclusion proof in keydir_t.</summary>
    public async Task<MerkleProofMessage> InclusionAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!InclusionRequest.TryDecode(body.Span, out var request, out var error))
        {
            throw ServerProblemException.Decode(error);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_directories.TryGetValue(request.Epoch, out var directory))
            {
                throw new ServerProblemException(410, "unknown-snapshot", "epoch not kept", "t", (long)Math.Min(request.Epoch, long.MaxValue), (long)(LatestHead?.Epoch ?? 0));
            }

            var index = directory.IndexOf(request.Certificate.Span);
            if (index < 0 || directory.Tree is null)
            {
                throw ServerProblemException.NotFound("certificate not in keydir_t");
            }

            return new MerkleProofMessage(request.Epoch, (ulong)index, (ulong)directory.Tree.Size, directory.Tree.GetInclusionProof(index));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The certificates of keydir_t, in leaf order (replication).</summary>
    public async Task<IReadOnlyList<Certificate>> DirectoryCertificatesAsync(ulong epoch, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _directories.TryGetValue(epoch, out var directory)
                ? directory.Certificates
                : throw new ServerProblemException(410, "unknown-snapshot", "epoch not kept", "t", (long)Math.Min(epoch, long.MaxValue), (long)(LatestHead?.Epoch ?? 0));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var directory in _directories.Values)
        {
            directory.Dispose();
        }

        _log.Dispose();
        _gate.Dispose();
    }

    private async Task<EpochHead> HeadAsync(ulong epoch, CancellationToken cancellationToken)
    {
        var bytes = await _store.GetEpochHeadAsync(epoch, cancellationToken).ConfigureAwait(false) ?? throw ServerProblemException.NotFound("no head for that epoch");
        return EpochHead.Decode(bytes);
    }

    private async Task CatchUpLogAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await _store.ReadCertificatesAsync(_log.Size, 4096, cancellationToken).ConfigureAwait(false);
            if (page.Count == 0)
            {
                return;
            }

            foreach (var stored in page)
            {
                _log.Append(stored.Encoded);
                _certificates.Add(Certificate.Decode(stored.Encoded));
            }
        }
    }

    private EpochDirectory EnsureDirectory(ulong epoch)
    {
        if (_directories.TryGetValue(epoch, out var existing))
        {
            return existing;
        }

        // keydir_t: certificates issued before epoch t began and still inside their validity window.
        var start = (ulong)_clock.EpochStart(epoch).ToUnixTimeSeconds();
        var valid = _certificates.Where(c => c.IssuedAt < start && ValidIn(c, epoch)).ToList();
        var directory = EpochDirectory.Build(epoch, valid, _options.PirThreads, _catalog);
        _directories[epoch] = directory;
        return directory;
    }

    /// <summary>keydir_t of one epoch: the certificates, the tree, and (when non-empty) its published PIR database.</summary>
    private sealed class EpochDirectory : IDisposable
    {
        private readonly Dictionary<string, int> _index;

        private EpochDirectory(IReadOnlyList<Certificate> certificates, DirectoryTree? tree)
        {
            Certificates = certificates;
            Tree = tree;
            _index = new Dictionary<string, int>(certificates.Count);
            for (var i = 0; i < certificates.Count; i++)
            {
                _index[Convert.ToHexString(certificates[i].Encoded)] = i;
            }
        }

        public IReadOnlyList<Certificate> Certificates { get; }

        public DirectoryTree? Tree { get; }

        public static EpochDirectory Build(ulong epoch, List<Certificate> certificates, int threads, PirCatalog catalog)
        {
            if (certificates.Count == 0)
            {
                return new EpochDirectory(certificates, null);
            }

            var tree = DirectoryTree.Build(certificates.Select(c => (ReadOnlyMemory<byte>)c.Encode()).ToList());
            var records = DirectoryRecord.EncodeDatabase(certificates, tree);
            var database = PirDatabase.FromConcatenated(records, DirectoryRecord.SizeFor(tree.Size));
            catalog.Publish(new LocalPirAnswerer(PirDatabaseKind.Directory, epoch, database, threads, lattice: true));
            return new EpochDirectory(certificates, tree);
        }

        public int IndexOf(ReadOnlySpan<byte> certificate) => _index.TryGetValue(Convert.ToHexString(certificate), out var i) ? i : -1;

        public void Dispose() => Tree?.Dispose();
    }
}
