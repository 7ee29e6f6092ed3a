using System.Security.Cryptography;
using System.Text;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Session;
using Privomega.Protocol.Tokens;
using Privomega.Server.Storage;

namespace Privomega.Pir.Bench.Sda;

/// <summary>
/// What the server recorded in one run, read back from its store and its meter after every mail epoch, joined with which
/// client sent each request (the threat model's worst case: the server knows the sender of every request).
/// </summary>
/// <param name="Writers">Per mail epoch, the clients whose put the server stored with that mail epoch.</param>
/// <param name="StoredPerEpoch">Rows the store holds for each mail epoch.</param>
/// <param name="RepeatedMailboxIds">Mailbox ids stored more than once over the run.</param>
/// <param name="MailPutsMeasured">The server's <c>privomega.mail.puts</c> counter at the end.</param>
/// <param name="MetricTagKeys">Every tag key the server's instruments used.</param>
public sealed record ServerRecords(
    EpochSets Writers,
    int[] StoredPerEpoch,
    long RepeatedMailboxIds,
    long MailPutsMeasured,
    string[] MetricTagKeys,
    long TokensIssued);

/// <summary>
/// Privomega, driven for real: every simulated user registers, obtains anonymous tokens, and writes mail through the
/// issue-9 server's domain services (<see cref="InProcessServer"/>) exactly as a client would — a real message to the
/// next id of its conversation's mailbox chain (<see cref="SessionKeys"/>, <see cref="ChatMessage"/>), or, with
/// <c>cover</c>, a dummy to a fresh random id when it has nothing queued, so every online client writes once per mail
/// epoch. Without <c>cover</c> (the <c>no-cover</c> view), clients write only real mail. The attacker's observation is
/// who wrote in each mail epoch, as the server stamped and stored it; the target's writes trigger, and everyone who
/// writes one mail epoch later (a quick reply, read from the frozen snapshot) is counted.
/// Not driven: private reads (each client's fixed number of PIR reads per mail epoch are the same for every client and
/// would only add cost) and the matchmaking queue (conversations are formed before the window).
/// </summary>
public sealed class PrivomegaServerView(bool cover) : ISdaView
{
    /// <summary>Tokens a client obtains per issuance request.</summary>
    public int TokenBatch { get; init; } = 32;

    /// <summary>Mail epochs the server keeps mail (the snapshot holds about online clients × this many messages).</summary>
    public int RetentionEpochs { get; init; } = 4;

    /// <summary>Parallel client requests.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    public string Name => cover ? "privomega" : "no-cover";

    public SdaObservations Observe(Traffic traffic, IProgress<double>? progress = null)
    {
        ServerRecords records = RunAsync(traffic, progress).GetAwaiter().GetResult();
        return new SdaObservations(records.Writers, records.Writers, Lag: 1);
    }

    /// <summary>Drives the whole traffic window through a fresh in-process server and reads back what it recorded.</summary>
    public async Task<ServerRecords> RunAsync(Traffic traffic, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(traffic);
        int users = traffic.Users;
        int epochs = traffic.Epochs;
        using InProcessServer server = await InProcessServer.StartAsync(epochs, RetentionEpochs, cancellationToken);
        server.EnterMailEpoch(0);
        await server.Services.TickAsync(cancellationToken);

        // Every secret key lives in its own guarded native allocation (several memory mappings each), and Linux caps a
        // process at about 65,000 mappings: a client keeps only what it still needs — its signing seed (re-imported for
        // each token request), its conversation's session — and the dummies of all clients are sealed under one key
        // that no one else holds, which the server cannot tell from per-client keys.
        var clients = new Client[users];
        using var coverPeer = X25519KeyPair.Generate();
        using var coverOwner = X25519KeyPair.Generate();
        using SessionKeys coverSession = SessionKeys.Derive(coverOwner, coverPeer.PublicKey, SessionRole.Initiator, 0);
        await Parallel.ForAsync(0, users, Options(cancellationToken), async (u, ct) => clients[u] = await Client.RegisterAsync(server, keepDh: traffic.Partner[u] >= 0, ct));
        for (int u = 0; u < users; u++)
        {
            int v = traffic.Partner[u];
            if (v > u)
            {
                clients[u].Session = SessionKeys.Derive(clients[u].Dh!, clients[v].Dh!.PublicKey, SessionRole.Initiator, 0);
                clients[v].Session = SessionKeys.Derive(clients[v].Dh!, clients[u].Dh!.PublicKey, SessionRole.Responder, 0);
                clients[u].DropDh();
                clients[v].DropDh();
            }
        }

        var writerEpochs = new IntBuffer(cover ? users * epochs : traffic.MessageCount);
        var writerUsers = new IntBuffer(cover ? users * epochs : traffic.MessageCount);
        int[] storedPerEpoch = new int[epochs];
        var seenIds = new HashSet<UInt128>();
        long repeated = 0;
        int[] pending = new int[users];
        int[] writers = new int[users];
        ulong[] stamped = new ulong[users];
        long tokensIssued = 0;
        try
        {
            for (int e = 0; e < epochs; e++)
            {
                server.EnterMailEpoch((ulong)e);

                for (int i = traffic.EpochStart[e]; i < traffic.EpochStart[e + 1]; i++)
                {
                    pending[traffic.Sender[i]]++;
                }

                int count = 0;
                for (int u = 0; u < users; u++)
                {
                    if (cover || pending[u] > 0)
                    {
                        writers[count++] = u;
                    }
                }

                TokenClient tokenClient = TokenClientFor(server);
                await Parallel.ForAsync(0, count, Options(cancellationToken), async (i, ct) =>
                {
                    int u = writers[i];
                    Client client = clients[u];
                    bool real = pending[u] > 0;
                    if (client.Tokens.Count == 0 || client.TokenPeriod != tokenClient.Period)
                    {
                        await client.RefillAsync(server, tokenClient, TokenBatch, ct);
                        Interlocked.Add(ref tokensIssued, TokenBatch);
                    }

                    byte[] body = client.NextPut(real, coverSession);
                    stamped[u] = await server.Mailbox.PutAsync(body, ct);
                });

                for (int i = 0; i < count; i++)
                {
                    int u = writers[i];
                    if (pending[u] > 0)
                    {
                        pending[u]--;
                    }

                    // The observation: the client that sent the request, and the mail epoch the server stamped on what it stored.
                    writerEpochs.Add((int)stamped[u]);
                    writerUsers.Add(u);
                }

                // The scheduler's tick at the boundary: the epoch head when an epoch begins, the snapshot of mail epoch e.
                server.EnterMailEpoch((ulong)e + 1);
                await server.Services.TickAsync(cancellationToken);
                IReadOnlyList<StoredMail> stored = await server.Store.ReadMailAsync((ulong)e, (ulong)e, cancellationToken);
                storedPerEpoch[e] = stored.Count;
                foreach (StoredMail mail in stored)
                {
                    if (!seenIds.Add(BitConverter.ToUInt128(mail.MailboxId)))
                    {
                        repeated++;
                    }
                }

                progress?.Report((e + 1) / (double)epochs);
            }
        }
        finally
        {
            foreach (Client client in clients)
            {
                client?.Dispose();
            }
        }

        string[] tagKeys;
        lock (server.MetricTagKeys)
        {
            tagKeys = [.. server.MetricTagKeys.Order(StringComparer.Ordinal)];
        }

        return new ServerRecords(
            EpochSets.FromPairs(users, epochs, writerEpochs.AsSpan(), writerUsers.AsSpan()),
            storedPerEpoch,
            repeated,
            server.MailPutsMeasured,
            tagKeys,
            tokensIssued);
    }

    private ParallelOptions Options(CancellationToken cancellationToken) => new() { MaxDegreeOfParallelism = Math.Max(1, Parallelism), CancellationToken = cancellationToken };

    private static TokenClient TokenClientFor(InProcessServer server)
    {
        TokenPublicKey current = server.Tokens.PublishedKeys()[0];
        if (!TokenClient.TryCreate(current, out TokenClient? client))
        {
            throw new InvalidOperationException("the server published a token key the client cannot use");
        }

        return client;
    }

    /// <summary>One simulated client: its identity, its tokens, its conversation's session.</summary>
    private sealed class Client : IDisposable
    {
        private static readonly byte[] Text = Encoding.UTF8.GetBytes("hello, stranger");

        private readonly byte[] vrfSeed;
        private ulong sent;
        private ulong dummies;

        private Client(byte[] vrfSeed, X25519KeyPair? dh, Certificate certificate)
        {
            this.vrfSeed = vrfSeed;
            Dh = dh;
            Certificate = certificate;
        }

        /// <summary>The Diffie-Hellman key pair, kept only until the conversation's session is derived.</summary>
        public X25519KeyPair? Dh { get; private set; }

        public Certificate Certificate { get; }

        public SessionKeys? Session { get; set; }

        public Queue<AnonymousToken> Tokens { get; } = new();

        public long TokenPeriod { get; private set; } = -1;

        public static async Task<Client> RegisterAsync(InProcessServer server, bool keepDh, CancellationToken cancellationToken)
        {
            byte[] seed = new byte[Ed25519KeyPair.SeedSize];
            var dh = X25519KeyPair.Generate();
            try
            {
                byte[] body;
                using (var vrf = Ed25519KeyPair.Generate())
                {
                    vrf.Export(seed);
                    ulong nonce = ProofOfWork.Mint(vrf.PublicKey, dh.PublicKey, server.Options.PowDifficulty, cancellationToken: cancellationToken);
                    body = new RegisterRequest(vrf.PublicKey.Export(), dh.PublicKey.Export(), (byte)server.Options.PowDifficulty, nonce).Encode();
                }

                Certificate certificate = await server.Directory.RegisterAsync(body, cancellationToken);
                var client = new Client(seed, keepDh ? dh : null, certificate);
                if (!keepDh)
                {
                    dh.Dispose();
                }

                return client;
            }
            catch
            {
                CryptographicOperations.ZeroMemory(seed);
                dh.Dispose();
                throw;
            }
        }

        public void DropDh()
        {
            Dh?.Dispose();
            Dh = null;
        }

        public async Task RefillAsync(InProcessServer server, TokenClient tokenClient, int batch, CancellationToken cancellationToken)
        {
            byte[] request = tokenClient.CreateRequest(batch, out TokenBlinding blinding);
            byte[] body;
            using (var vrf = Ed25519KeyPair.Import(vrfSeed))
            {
                body = TokenIssueRequest.Create(Certificate, vrf, request).Encode();
            }

            byte[] answer = await server.Tokens.IssueAsync(body, cancellationToken);
            if (!tokenClient.TryFinalize(blinding, answer, out IReadOnlyList<AnonymousToken>? tokens, out _))
            {
                throw new InvalidOperationException("the server's token answer did not verify");
            }

            Tokens.Clear();
            foreach (AnonymousToken token in tokens)
            {
                Tokens.Enqueue(token);
            }

            TokenPeriod = tokenClient.Period;
        }

        /// <summary>The next <c>POST /v1/mail</c> body: a real message to the conversation's next mailbox, or a dummy.</summary>
        public byte[] NextPut(bool real, SessionKeys coverSession)
        {
            byte[] token = Tokens.Dequeue().Encode();
            byte[] id;
            byte[] ciphertext;
            if (real && Session is not null)
            {
                id = Session.SendChain.MailboxId(sent);
                ciphertext = ChatMessage.Seal(Session, sent, Text).Encode();
                sent++;
            }
            else
            {
                id = RandomNumberGenerator.GetBytes(MailboxChain.IdSize);
                ciphertext = ChatMessage.Seal(coverSession, dummies++, Text).Encode();
            }

            return new MailPut(id, token, ciphertext).Encode();
        }

        public void Dispose()
        {
            Session?.Dispose();
            Dh?.Dispose();
            CryptographicOperations.ZeroMemory(vrfSeed);
        }
    }
}
