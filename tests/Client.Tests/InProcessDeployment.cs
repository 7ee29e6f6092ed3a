using System.Security.Cryptography;
using Privomega.Client.Transport;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Tokens;

namespace Privomega.Client.Tests;

/// <summary>
/// A primary and a replica in one object, for the client's unit tests: the server side of the
/// protocol built from the Protocol library's server halves (certificates, heads, trees, tokens)
/// and the engine's PIR servers, on a manual clock the test advances epoch by epoch. It records what
/// a server sees (who wrote which mailbox id in which mail epoch), and can be told to equivocate.
/// Not the real server (src/Server, tested end to end in the HTTP tests); no storage, no HTTP.
/// </summary>
internal sealed class InProcessDeployment : IDisposable
{
    public const int Difficulty = 4;
    public const int CiphertextBytes = 201;
    public const int BucketSlots = 4;
    public const int HashCount = 2;
    public const long Buckets = 64;
    public const ulong EpochMilliseconds = 10_000;
    public const ulong MailEpochMilliseconds = 2_500;

    private readonly Ed25519KeyPair _key = Ed25519KeyPair.Generate();
    private readonly MerkleLog _log = new();
    private readonly List<Certificate> _issued = [];
    private readonly Dictionary<ulong, EpochHead> _heads = [];
    private readonly Dictionary<ulong, (List<Certificate> Certificates, DirectoryTree Tree, PirDatabase Database)> _directories = [];
    private readonly Dictionary<ulong, List<byte[]>> _queues = [];
    private readonly Dictionary<string, (ulong MailEpoch, byte[] Ciphertext)> _mail = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, (MailHead Head, PirDatabase Database)> _snapshots = [];
    private readonly TokenIssuer _tokens;
    private readonly byte[] _layoutKey = RandomNumberGenerator.GetBytes(16);
    private readonly Dictionary<(ulong, string), LatticeGaloisKeys> _evalKeys = [];
    private ulong _timeMs = 1_700_000_000_000;
    private ulong _openMailEpoch = 1;

    public InProcessDeployment()
    {
        _tokens = new TokenIssuer(TokenKind.Voprf, _ => VoprfTokenIssuerKey.Generate(), new TokenIssuerOptions { TokensPerPeriod = 60_000, PeriodLength = TimeSpan.FromDays(1) });
        Primary = new View(this, ServerRole.Primary);
        Replica = new View(this, ServerRole.Replica);
    }

    public IPrivomegaServer Primary { get; }

    public View Replica { get; }

    public Ed25519PublicKey ServerKey => _key.PublicKey;

    public EpochHead? Latest { get; private set; }

    /// <summary>(mail epoch, mailbox id hex) of every stored write: what the server sees.</summary>
    public List<(ulong MailEpoch, string Id)> MailWrites { get; } = [];

    /// <summary>Sealed requests posted, all epochs.</summary>
    public List<byte[]> Posted { get; } = [];

    public int RefusedWrites { get; private set; }

    /// <summary>Starts the next epoch: keydir of every certificate issued before it, a signed head.</summary>
    public EpochHead AdvanceEpoch()
    {
        _timeMs += EpochMilliseconds;
        var epoch = Latest is null ? 0 : Latest.Epoch + 1;
        var certificates = _issued.Where(c => c.IssuedAt <= _timeMs / 1000).ToList();
        var tree = DirectoryTree.Build(certificates.Select(c => (ReadOnlyMemory<byte>)c.Encode()).ToList());
        var database = certificates.Count == 0 ? null : PirDatabase.FromConcatenated(DirectoryRecord.EncodeDatabase(certificates, tree), DirectoryRecord.SizeFor(certificates.Count));
        if (database is not null)
        {
            _directories[epoch] = (certificates, tree, database);
        }

        var snapshot = _snapshots.Count == 0 ? (0UL, new byte[32]) : (_snapshots.Keys.Max(), _snapshots[_snapshots.Keys.Max()].Head.SnapshotDigest.ToArray());
        var head = EpochHead.Sign(_key, epoch, _timeMs, RandomNumberGenerator.GetBytes(32), certificates.Count, tree.Root, _log.Size, _log.Root(), snapshot.Item1, snapshot.Item2, Latest?.Hash() ?? new byte[32]);
        _heads[epoch] = head;
        Latest = head;
        return head;
    }

    /// <summary>Signs a second head for the latest epoch with another nonce: equivocation, served by the replica.</summary>
    public EpochHead ForkLatestForReplica()
    {
        var h = Latest!;
        var fork = EpochHead.Sign(_key, h.Epoch, h.TimeMilliseconds, RandomNumberGenerator.GetBytes(32), h.DirectorySize, h.DirectoryRoot, h.LogSize, h.LogRoot, h.MailboxSnapshotId, h.MailboxSnapshotDigest, h.PreviousHash);
        Replica.Override[h.Epoch] = fork;
        return fork;
    }

    /// <summary>Freezes the open mail epoch into a keyword-PIR snapshot with a signed mail head.</summary>
    public MailHead AdvanceMailEpoch()
    {
        _timeMs += MailEpochMilliseconds;
        var slot = MailPut.MailboxIdSize + CiphertextBytes;
        var records = new byte[Buckets * BucketSlots * slot];
        var used = new int[Buckets];
        foreach (var (idHex, (written, ciphertext)) in _mail)
        {
            if (written + 6 < _openMailEpoch)
            {
                continue; // past the retention window
            }

            var id = Convert.FromHexString(idHex);
            var placed = false;
            foreach (var bucket in Enumerable.Range(0, HashCount).Select(j => MailboxLayout.Candidate(_layoutKey, j, id, Buckets)))
            {
                if (used[bucket] < BucketSlots)
                {
                    var at = (int)((bucket * BucketSlots) + used[bucket]++) * slot;
                    id.CopyTo(records, at);
                    ciphertext.CopyTo(records, at + MailPut.MailboxIdSize);
                    placed = true;
                    break;
                }
            }

            Assert.True(placed, "the test mailbox table overflowed; make it larger");
        }

        var m = _openMailEpoch++;
        var previous = _snapshots.TryGetValue(m - 1, out var p) ? p.Head.Hash() : new byte[32];
        var head = MailHead.Sign(_key, m, _timeMs, Buckets, BucketSlots * slot, MailHead.Digest(m, Buckets, BucketSlots * slot, records), previous, Latest?.Hash() ?? new byte[32], _layoutKey);
        _snapshots[m] = (head, PirDatabase.FromConcatenated(records, BucketSlots * slot));
        return head;
    }

    public void Dispose()
    {
        foreach (var d in _directories.Values)
        {
            d.Tree.Dispose();
            d.Database.Dispose();
        }

        foreach (var s in _snapshots.Values)
        {
            s.Database.Dispose();
        }

        _tokens.Dispose();
        _log.Dispose();
        _key.Dispose();
    }

    internal sealed class View(InProcessDeployment d, ServerRole role) : IPrivomegaServer
    {
        public Dictionary<ulong, EpochHead> Override { get; } = [];

        public string Name => role == ServerRole.Primary ? "primary" : "replica";

        public Task<ServerInfo> GetInfoAsync(CancellationToken cancellationToken) => Task.FromResult(new ServerInfo(
            role, d._key.PublicKey.Export(), EpochMilliseconds, MailEpochMilliseconds, 1000, Difficulty, CiphertextBytes, TokenKind.Voprf, 86_400_000, 4,
            (byte)((1 << (int)PirSchemeKind.XorBitVector) | (1 << (int)PirSchemeKind.XorDpf) | (role == ServerRole.Primary ? 1 << (int)PirSchemeKind.Lattice : 0))));

        public Task<Certificate> RegisterAsync(Ed25519PublicKey vrfKey, X25519PublicKey dhKey, ulong powNonce, int difficulty, CancellationToken cancellationToken)
        {
            PrimaryOnly();
            if (difficulty < Difficulty || !ProofOfWork.Verify(vrfKey, dhKey, difficulty, powNonce))
            {
                throw new ServerRejectedException(400, "bad proof of work", "code=bad-proof-of-work");
            }

            var certificate = Certificate.Issue(d._key, vrfKey, dhKey, (d._timeMs / 1000) - 1, powNonce, difficulty);
            d._issued.Add(certificate);
            d._log.Append(certificate.Encoded);
            return Task.FromResult(certificate);
        }

        public Task<EpochHead?> GetHeadAsync(ulong? epoch, CancellationToken cancellationToken)
        {
            var t = epoch ?? d.Latest?.Epoch;
            if (t is null)
            {
                return Task.FromResult<EpochHead?>(null);
            }

            return Task.FromResult(Override.TryGetValue(t.Value, out var forked) ? forked : d._heads.GetValueOrDefault(t.Value));
        }

        public Task<byte[]> GetLogConsistencyAsync(ulong fromEpoch, ulong toEpoch, CancellationToken cancellationToken) =>
            Task.FromResult(d._log.GetConsistencyProof(d._heads[fromEpoch].LogSize, d._heads[toEpoch].LogSize));

        public Task<MailHead?> GetMailHeadAsync(ulong? mailEpoch, CancellationToken cancellationToken)
        {
            var m = mailEpoch ?? (d._snapshots.Count == 0 ? 0 : d._snapshots.Keys.Max());
            return Task.FromResult(d._snapshots.TryGetValue(m, out var s) ? s.Head : null);
        }

        public Task<Membership?> GetMembershipAsync(ulong epoch, Certificate certificate, CancellationToken cancellationToken)
        {
            PrimaryOnly();
            if (!d._directories.TryGetValue(epoch, out var dir))
            {
                return Task.FromResult<Membership?>(null);
            }

            var index = dir.Certificates.IndexOf(certificate);
            return Task.FromResult(index < 0 ? null : new Membership(epoch, index, dir.Tree.GetInclusionProof(index)));
        }

        public Task<PirConfig> GetPirConfigAsync(PirDatabaseKind database, CancellationToken cancellationToken)
        {
            var schemes = (byte)((1 << (int)PirSchemeKind.XorBitVector) | (1 << (int)PirSchemeKind.XorDpf) | (role == ServerRole.Primary ? 1 << (int)PirSchemeKind.Lattice : 0));
            if (database == PirDatabaseKind.Directory)
            {
                var t = d.Latest!.Epoch;
                return Task.FromResult(new PirConfig(database, t, d.Latest.DirectorySize, DirectoryRecord.SizeFor(Math.Max(1, d.Latest.DirectorySize)), schemes, 0, 0, 0, new byte[16]));
            }

            var m = d._snapshots.Keys.Max();
            var head = d._snapshots[m].Head;
            return Task.FromResult(new PirConfig(database, m, head.RecordCount, head.RecordBytes, schemes, 0, BucketSlots, HashCount, d._layoutKey));
        }

        public Task<IReadOnlyList<byte[]>> AnswerAsync(PirDatabaseKind database, ulong snapshot, PirBatchRequest batch, CancellationToken cancellationToken)
        {
            var db = database == PirDatabaseKind.Directory ? d._directories[snapshot].Database : d._snapshots[snapshot].Database;
            if (database == PirDatabaseKind.Mailbox && role == ServerRole.Primary && d._tokens.Redeem(batch.Token.Span) != TokenRedeemStatus.Accepted)
            {
                throw new ServerRejectedException(403, "token invalid", "code=token-invalid");
            }

            var answers = new List<byte[]>();
            foreach (var bytes in batch.Queries)
            {
                answers.Add(batch.Scheme switch
                {
                    PirSchemeKind.XorBitVector => new XorPirServer(db).Answer(XorQuery.Decode(bytes.Span, db.RecordCount)).Encode(),
                    PirSchemeKind.XorDpf => new DpfPirServer(db).Answer(DpfQuery.Decode(bytes.Span, db.RecordCount)).Encode(),
                    _ => AnswerLattice(db, batch.KeyId, bytes),
                });
            }

            return Task.FromResult<IReadOnlyList<byte[]>>(answers);
        }

        public Task<byte[]> UploadEvaluationKeysAsync(EvalKeyUpload upload, CancellationToken cancellationToken)
        {
            PrimaryOnly();
            var keyId = EvalKeyUpload.KeyId(upload.Period, upload.BindingSecret.Span);
            var config = GetPirConfigAsync(upload.Database, cancellationToken).Result;
            var parameters = LatticePirPlanner.Plan(config.RecordCount, config.RecordBytes);
            d._evalKeys[(upload.Period, Convert.ToHexString(keyId))] = LatticeGaloisKeys.Decode(upload.Keys.Span, parameters);
            return Task.FromResult(keyId);
        }

        public Task PostMatchRequestAsync(ulong epoch, ReadOnlyMemory<byte> sealedRequest, CancellationToken cancellationToken)
        {
            PrimaryOnly();
            if (epoch != d.Latest!.Epoch || !MatchmakingRequest.TryReadEnvelope(sealedRequest.Span, out var outer, out _) || outer != epoch)
            {
                throw new ServerRejectedException(409, "wrong epoch", "code=wrong-epoch");
            }

            var copy = sealedRequest.ToArray();
            d.Posted.Add(copy);
            if (!d._queues.TryGetValue(epoch, out var queue))
            {
                d._queues[epoch] = queue = [];
            }

            queue.Add(copy);
            return Task.CompletedTask;
        }

        public Task<QueuePage> PollMatchQueueAsync(ulong epoch, long cursor, CancellationToken cancellationToken)
        {
            PrimaryOnly();
            var queue = d._queues.GetValueOrDefault(epoch) ?? [];
            var page = queue.Skip((int)cursor).Take(256).ToList();
            return Task.FromResult(new QueuePage(page, cursor + page.Count));
        }

        public Task<ulong> PutMailAsync(ReadOnlyMemory<byte> mailboxId, ReadOnlyMemory<byte> token, ReadOnlyMemory<byte> ciphertext, CancellationToken cancellationToken)
        {
            PrimaryOnly();
            var id = Convert.ToHexString(mailboxId.Span);
            if (ciphertext.Length != CiphertextBytes || d._mail.ContainsKey(id))
            {
                d.RefusedWrites++;
                throw new ServerRejectedException(409, "mailbox taken", "code=mailbox-taken");
            }

            if (d._tokens.Redeem(token.Span) != TokenRedeemStatus.Accepted)
            {
                d.RefusedWrites++;
                throw new ServerRejectedException(403, "token invalid", "code=token-invalid");
            }

            d._mail[id] = (d._openMailEpoch, ciphertext.ToArray());
            d.MailWrites.Add((d._openMailEpoch, id));
            return Task.FromResult(d._openMailEpoch);
        }

        public Task<IReadOnlyList<TokenPublicKey>> GetTokenKeysAsync(CancellationToken cancellationToken) => Task.FromResult(d._tokens.PublishedKeys());

        public Task<byte[]> IssueTokensAsync(TokenIssueRequest request, CancellationToken cancellationToken)
        {
            PrimaryOnly();
            var certificate = Certificate.Decode(request.Certificate.Span);
            Assert.True(request.VerifySignature(certificate.VrfKey));
            var status = d._tokens.Issue(certificate.VrfKey.Export(), request.Request.Span, out var answer, out _);
            return status == TokenIssueStatus.Issued ? Task.FromResult(answer!) : throw new ServerRejectedException(429, "token quota", status.ToString());
        }

        private byte[] AnswerLattice(PirDatabase db, ReadOnlyMemory<byte> keyId, ReadOnlyMemory<byte> query)
        {
            var parameters = LatticePirPlanner.Plan(db.RecordCount, db.RecordBytes);
            var keys = d._evalKeys.First(k => k.Key.Item2 == Convert.ToHexString(keyId.Span)).Value;
            using var server = new LatticePirServer(db, parameters);
            return server.Answer(LatticeQuery.Decode(query.Span, parameters), keys).Encode();
        }

        private void PrimaryOnly()
        {
            if (role != ServerRole.Primary)
            {
                throw new ServerRejectedException(404, "not found", "code=not-found");
            }
        }
    }
}
