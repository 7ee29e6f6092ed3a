using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Privomega.Client.Audit;
using Privomega.Client.Chat;
using Privomega.Client.Transport;
using Privomega.Pir.Engine;
using Privomega.Server;

namespace Privomega.Client.Tests;

/// <summary>
/// The whole protocol against the real server: a primary and a replica on Kestrel, 127.0.0.1, ports
/// picked by the OS, and ten clients over HTTP reading with XOR and DPF PIR (half each; they match
/// across schemes since the directory is one). Runs once per CI (not in the SIMD reruns).
/// </summary>
public sealed class EndToEndTests
{
    [Fact]
    public async Task TenClientsRegisterMatchAndChatOverXorAndDpfWithOneWritePerMailEpoch()
    {
        await using var primary = await StartAsync([]);
        await using var replica = await StartAsync(["--Privomega:Role=Replica", $"--Privomega:PrimaryUrl={primary.Address}"]);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var clients = new List<PrivomegaClient>();
        for (var i = 0; i < 10; i++)
        {
            var scheme = i % 2 == 0 ? PirSchemeKind.XorBitVector : PirSchemeKind.XorDpf;
            clients.Add(new PrivomegaClient(new HttpPrivomegaServer(primary.Address, http), new HttpPrivomegaServer(replica.Address, http), new ClientOptions { Scheme = scheme, ReadsPerMailEpoch = 2, HelloTimeoutMailEpochs = 8 }));
        }

        var received = clients.Select(_ => new List<string>()).ToArray();
        var sent = new Dictionary<int, string[]>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(100));
        try
        {
            await Task.WhenAll(clients.Select(c => c.ConnectAsync(null, stop.Token)));

            // A fresh deployment answers 503 until the first directory snapshot holds registered users (the next
            // epoch) and the replica has verified it; wait for both servers' databases, bounded in time.
            await WaitForSnapshotsAsync(http, primary.Address, replica.Address);
            var loops = clients.Select((c, i) => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    foreach (var e in await c.RunMailEpochAsync(stop.Token))
                    {
                        lock (received)
                        {
                            if (e.Kind == ClientEventKind.Message)
                            {
                                received[i].Add(e.Text!);
                            }

                            if (e.Kind == ClientEventKind.ChatStarted)
                            {
                                sent[i] = [$"hi from {i}", $"second line from {i}", string.Concat(Enumerable.Repeat($"long line {i} ", 30))];
                                foreach (var line in sent[i])
                                {
                                    c.Send(line);
                                }
                            }

                            var pairs = ClientTestKit.Pairs(clients);
                            if (pairs.Count >= 3 && pairs.All(p => received[p.A].Count >= 3 && received[p.B].Count >= 3))
                            {
                                stop.CancelAfter(TimeSpan.FromSeconds(2));
                            }
                        }
                    }
                }
            })).ToArray();
            try
            {
                await Task.WhenAll(loops);
            }
            catch (OperationCanceledException)
            {
            }

            // Messages arrive complete and in order in every pair that formed.
            var formed = ClientTestKit.Pairs(clients);
            Assert.True(formed.Count >= 2, $"only {formed.Count} pairs formed among 10 users");
            var complete = formed.Where(p => received[p.A].Count >= 3 && received[p.B].Count >= 3).ToList();
            Assert.True(complete.Count >= 2, $"only {complete.Count} pairs finished exchanging their lines");
            foreach (var (a, b) in complete)
            {
                Assert.Equal(sent[b], received[a].Take(3));
                Assert.Equal(sent[a], received[b].Take(3));
            }

            // Every accepted match verified; nothing refused among honest clients.
            foreach (var c in clients)
            {
                Assert.DoesNotContain(c.Matchmaker!.Refused, r => r.Value > 0);
            }

            // Exactly one write per mail epoch while online, and no mailbox id written twice.
            foreach (var c in clients)
            {
                var epochs = c.Writes.Select(w => w.MailEpoch).ToList();
                Assert.Equal(epochs.Count, epochs.Distinct().Count());
                var missing = Enumerable.Range(0, (int)(epochs.Max() - epochs.Min() + 1)).Select(k => epochs.Min() + (ulong)k).Except(epochs).ToList();
                Assert.True(missing.Count == 0, $"no write in mail epochs {string.Join(", ", missing)} of {epochs.Min()}..{epochs.Max()}");
            }

            var ids = clients.SelectMany(c => c.Writes.Select(w => w.MailboxId)).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());

            // The audit of each client's ledger holds.
            foreach (var c in clients)
            {
                var report = Auditor.Run(c.Ledger);
                Assert.True(report.Passed, string.Join("; ", report.Checks.SelectMany(x => x.Failures)));
            }
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    private static async Task WaitForSnapshotsAsync(HttpClient http, params Uri[] servers)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        foreach (var server in servers)
        {
            foreach (var db in new[] { "directory", "mailbox" })
            {
                while (true)
                {
                    using var response = await http.GetAsync(new Uri(server, $"/v1/pir/{db}/config"));
                    if (response.IsSuccessStatusCode)
                    {
                        break;
                    }

                    Assert.True(DateTime.UtcNow < deadline, $"{server} has no {db} snapshot after 60 s ({(int)response.StatusCode})");
                    await Task.Delay(100);
                }
            }
        }
    }

    private static async Task<Server> StartAsync(string[] settings)
    {
        string[] args = ["--urls", "http://127.0.0.1:0", "--Privomega:Profile=development", "--Privomega:Storage=memory", "--Privomega:EpochSeconds=6", "--Privomega:MailEpochMilliseconds=2000", "--Privomega:MailboxBuckets=128", .. settings];
        var app = ServerHost.Build(args, b => b.Logging.ClearProviders());
        await app.StartAsync();
        return new Server(app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));
    }

    private sealed class Server(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
