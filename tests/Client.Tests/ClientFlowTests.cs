using Privomega.Client.Audit;
using Privomega.Client.Chat;
using Privomega.Client.Monitoring;
using Privomega.Pir.Engine;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;

namespace Privomega.Client.Tests;

/// <summary>
/// The client state machine against the in-process deployment: registration, matching with a
/// private directory read, acceptance, chat over keyword PIR, the cover-traffic rule, the stop on
/// equivocation and the audit.
/// </summary>
public sealed class ClientFlowTests
{
    public static TheoryData<PirSchemeKind, int> Schemes => new()
    {
        { PirSchemeKind.XorBitVector, 4 },
        { PirSchemeKind.XorDpf, 4 },
        { PirSchemeKind.Lattice, 2 },
    };

    [Theory]
    [MemberData(nameof(Schemes))]
    public async Task MatchedClientsExchangeMessagesCompleteAndInOrder(PirSchemeKind scheme, int users)
    {
        using var d = new InProcessDeployment();
        var clients = await ClientTestKit.ConnectAsync(d, users, scheme, initiate: users == 2 ? 1.0 : 0.5);
        try
        {
            var received = clients.Select(_ => new List<string>()).ToArray();
            var sentLines = new Dictionary<int, List<string>>();
            var longLine = string.Concat(Enumerable.Repeat("héllo wörld ", 40));
            await ClientTestKit.DriveAsync(
                d,
                clients,
                80,
                (i, e) =>
                {
                    if (e.Kind == ClientEventKind.Message)
                    {
                        received[i].Add(e.Text!);
                    }

                    if (e.Kind == ClientEventKind.ChatStarted && !sentLines.ContainsKey(i))
                    {
                        sentLines[i] = [$"first from {i}", longLine, $"third from {i}"];
                        foreach (var line in sentLines[i])
                        {
                            Assert.True(clients[i].Send(line));
                        }
                    }
                },
                () =>
                {
                    var pairs = ClientTestKit.Pairs(clients);
                    return pairs.Count >= users / 2 && pairs.All(p => received[p.A].Count == 3 && received[p.B].Count == 3);
                });

            var pairs = ClientTestKit.Pairs(clients);
            Assert.True(pairs.Count >= 1, $"no pair formed among {users} users");
            foreach (var (a, b) in pairs)
            {
                Assert.Equal(sentLines[b], received[a]);
                Assert.Equal(sentLines[a], received[b]);
            }

            // Every accepted match verified: the accepted peer certificate is server-signed and the
            // matchmaker refused nothing from honest clients.
            foreach (var c in clients)
            {
                Assert.True(c.Session is null || c.Session.Peer.Verify(d.ServerKey, InProcessDeployment.Difficulty));
                Assert.DoesNotContain(c.Matchmaker!.Refused, r => r.Value > 0);
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task EveryClientWritesExactlyOncePerMailEpochAndNoIdTwice()
    {
        using var d = new InProcessDeployment();
        var clients = await ClientTestKit.ConnectAsync(d, 4, PirSchemeKind.XorDpf);
        try
        {
            const int epochs = 16;
            await ClientTestKit.DriveAsync(d, clients, epochs, (i, e) =>
            {
                if (e.Kind == ClientEventKind.ChatStarted)
                {
                    clients[i].Send("real mail among the dummies");
                }
            });
            foreach (var c in clients)
            {
                var perEpoch = c.Writes.GroupBy(w => w.MailEpoch).Select(g => g.Count()).ToList();
                Assert.Equal(epochs, c.Writes.Count);
                Assert.Equal(epochs, perEpoch.Count);
                Assert.All(perEpoch, n => Assert.Equal(1, n));
            }

            // What the server saw: 4 writes per mail epoch, every id fresh, nothing refused.
            Assert.Equal(0, d.RefusedWrites);
            Assert.Equal(epochs * 4, d.MailWrites.Count);
            Assert.Equal(d.MailWrites.Count, d.MailWrites.Select(w => w.Id).Distinct().Count());
            Assert.All(d.MailWrites.GroupBy(w => w.MailEpoch), g => Assert.Equal(4, g.Count()));
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task ForgedAndReplayedRequestsAreRefused()
    {
        using var d = new InProcessDeployment();
        var clients = await ClientTestKit.ConnectAsync(d, 2, PirSchemeKind.XorBitVector, initiate: 1.0);
        try
        {
            // Run until one side accepted a request, then replay it within the same epoch.
            var acceptedIn = ulong.MaxValue;
            await ClientTestKit.DriveAsync(d, clients, 40, (i, e) => acceptedIn = e.Kind == ClientEventKind.MatchAccepted ? d.Latest!.Epoch : acceptedIn, () => acceptedIn != ulong.MaxValue);
            Assert.Equal(d.Latest!.Epoch, acceptedIn);
            var bob = clients.Single(c => c.Session!.Role == Protocol.Session.SessionRole.Responder);
            var head = d.Latest!;
            var original = d.Posted.Last(p => MatchmakingRequest.TryOpen(p, bob.Identity.DhKey, out _));

            // Forged: a certificate signed by another key, a valid VRF proof for it, sealed to Bob.
            using var mallory = Ed25519KeyPair.Generate();
            using var fakeVrf = Ed25519KeyPair.Generate();
            using var fakeDh = X25519KeyPair.Generate();
            var fakeCert = Certificate.Issue(mallory, fakeVrf.PublicKey, fakeDh.PublicKey, 0, ProofOfWork.Mint(fakeVrf.PublicKey, fakeDh.PublicKey, InProcessDeployment.Difficulty), InProcessDeployment.Difficulty);
            var proof = MatchmakingRequest.Prove(fakeVrf, head, out _);
            var notBob = (bob.Membership!.LeafIndex + 1) % head.DirectorySize;
            var forged = MatchmakingRequest.Create(head, fakeCert, notBob, [], proof).Seal(bob.Identity.DhKey.PublicKey);
            await d.Primary.PostMatchRequestAsync(head.Epoch, forged, CancellationToken.None);

            // Replayed: the accepted request posted again.
            MatchmakingRequest.TryOpen(original, bob.Identity.DhKey, out var originalRequest);
            var session = bob.Session;
            Assert.Equal(head.Epoch, originalRequest!.Epoch);
            await d.Primary.PostMatchRequestAsync(head.Epoch, original, CancellationToken.None);

            await bob.StepAsync(CancellationToken.None);
            Assert.True(1 == bob.Matchmaker!.Refused.GetValueOrDefault(MatchmakingVerdict.CertificateInvalid), $"refused: {string.Join(", ", bob.Matchmaker.Refused)}; not for me: {bob.Matchmaker.NotForMe}");
            Assert.Equal(1, bob.Matchmaker.Refused.GetValueOrDefault(MatchmakingVerdict.Replay));

            Assert.Same(session, bob.Session);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Fact]
    public async Task ClientFacingAnEquivocatingServerStopsWithEvidence()
    {
        using var d = new InProcessDeployment();
        var clients = await ClientTestKit.ConnectAsync(d, 1, PirSchemeKind.XorDpf);
        using var client = clients[0];
        await ClientTestKit.DriveAsync(d, clients, 5);
        var fork = d.ForkLatestForReplica();
        var stop = await Assert.ThrowsAsync<EquivocationDetectedException>(() => client.StepAsync(CancellationToken.None));
        Assert.True(stop.Evidence.Verify(d.ServerKey));
        Assert.Equal(fork.Epoch, stop.Evidence.Epoch);
        Assert.NotNull(client.Ledger.Evidence);

        // Stopped for good: the next step refuses before any request.
        var writes = d.MailWrites.Count;
        await Assert.ThrowsAsync<EquivocationDetectedException>(() => client.StepAsync(CancellationToken.None));
        Assert.Equal(writes, d.MailWrites.Count);

        var report = Auditor.Run(client.Ledger);
        Assert.False(report.Passed);
        Assert.Contains(report.Checks, c => c.Name.Contains("equivocation", StringComparison.Ordinal) && !c.Passed);
        Assert.Contains(report.Checks, c => c.Name.Contains("replica", StringComparison.Ordinal) && !c.Passed);
    }

    [Fact]
    public async Task AuditPassesOnAnHonestRunAndCatchesEachTampering()
    {
        using var d = new InProcessDeployment();
        var clients = await ClientTestKit.ConnectAsync(d, 2, PirSchemeKind.XorDpf);
        using var client = clients[0];
        using var other = clients[1];
        await ClientTestKit.DriveAsync(d, clients, 14);
        var ledger = client.Ledger;
        var honest = Auditor.Run(ledger);
        Assert.True(honest.Passed, string.Join("; ", honest.Checks.SelectMany(c => c.Failures)));
        Assert.True(honest.Checks.Single(c => c.Name.StartsWith("own certificate", StringComparison.Ordinal)).Checked >= 3);
        Assert.True(honest.Checks.Single(c => c.Name.StartsWith("key-transparency", StringComparison.Ordinal)).Checked >= 3);
        Assert.True(honest.Checks.Single(c => c.Name.StartsWith("primary and replica", StringComparison.Ordinal)).Checked >= 3);
        Assert.True(honest.Checks.Single(c => c.Name.StartsWith("mail-head", StringComparison.Ordinal)).Checked >= 10);

        var path = Path.Combine(Path.GetTempPath(), $"privomega-ledger-{Guid.NewGuid():N}.json");
        try
        {
            ledger.Save(path);
            Assert.True(Auditor.Run(ClientLedger.Load(path)).Passed);

            AssertFails(path, l => l.Consistency[1] = l.Consistency[1] with { Proof = [.. l.Consistency[1].Proof, .. new byte[32]] }, "key-transparency");
            AssertFails(path, l => l.Memberships.RemoveAt(1), "own certificate");
            AssertFails(path, l => l.Memberships[2].Path[5] ^= 1, "own certificate");
            AssertFails(path, l => l.Heads.Single(h => h.Role == Protocol.Api.ServerRole.Primary && EpochHead.Decode(h.Encoded).Epoch == 2).Encoded[20] ^= 1, "heads signed");
            AssertFails(path, l => l.MailHeads.RemoveAt(3), "mail-head", expectPass: true);
            AssertFails(path, l => l.MailHeads[3][40] ^= 1, "mail-head");
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void AssertFails(string path, Action<ClientLedger> tamper, string check, bool expectPass = false)
    {
        var ledger = ClientLedger.Load(path);
        tamper(ledger);
        var report = Auditor.Run(ledger);
        var named = report.Checks.Single(c => c.Name.StartsWith(check, StringComparison.Ordinal));
        Assert.Equal(expectPass, named.Passed);
    }
}
