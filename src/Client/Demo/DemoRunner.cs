using System.Diagnostics;
using Privomega.Client.Chat;
using Privomega.Client.Cli;
using Privomega.Client.Transport;
using Privomega.Pir.Engine;
using Spectre.Console;

namespace Privomega.Client.Demo;

/// <summary>What one scheme's demo run measured.</summary>
internal sealed record SchemeResult(
    string Scheme,
    int Users,
    int Matches,
    int MessagesSent,
    int MessagesDelivered,
    int MinWritesPerClientPerEpoch,
    int MaxWritesPerClientPerEpoch,
    int MailboxIdsWrittenTwice,
    double WallSeconds,
    double BytesUpPerMailEpoch,
    double BytesDownPerMailEpoch,
    double ServerCpuSecondsPerEpoch,
    double? MedianMatchToFirstMessageSeconds,
    IReadOnlyList<string> ServerSaw);

/// <summary>
/// The demo: a primary and a replica as child processes, N clients that register, match at random,
/// and exchange M lines per pair over one PIR scheme, all through the HTTP API.
/// </summary>
internal static class DemoRunner
{
    public static async Task<SchemeResult> RunAsync(string serverDll, PirSchemeKind scheme, int users, int messages, int epochSeconds, int mailEpochMilliseconds, TimeSpan budget, bool quiet, CancellationToken cancellationToken)
    {
        string[] timing = [$"--Privomega:EpochSeconds={epochSeconds}", $"--Privomega:MailEpochMilliseconds={mailEpochMilliseconds}", "--Privomega:MailboxBuckets=128"];
        await using var primary = await ServerProcess.StartAsync(serverDll, timing, cancellationToken).ConfigureAwait(false);
        await using var replica = await ServerProcess.StartAsync(serverDll, [.. timing, "--Privomega:Role=Replica", $"--Privomega:PrimaryUrl={primary.Address}"], cancellationToken).ConfigureAwait(false);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        var clients = Enumerable.Range(0, users).Select(_ => new PrivomegaClient(
            new HttpPrivomegaServer(primary.Address, http),
            scheme == PirSchemeKind.Lattice ? null : new HttpPrivomegaServer(replica.Address, http),
            new ClientOptions { Scheme = scheme, ReadsPerMailEpoch = 2, HelloTimeoutMailEpochs = 8 })).ToList();
        var name = CliContext.SchemeName(scheme);
        var wall = Stopwatch.StartNew();
        var requested = new Dictionary<int, TimeSpan>();
        var firstMessage = new List<double>();
        var delivered = new int[users];
        var queued = new int[users];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(budget);
        try
        {
            await Task.WhenAll(clients.Select(c => c.ConnectAsync(null, stop.Token))).ConfigureAwait(false);
            Say(quiet, $"[grey]{name}:[/] {users} users registered ({clients[0].Deployment!.PowDifficulty}-bit proof of work each); primary {primary.Address}, replica {replica.Address}");
            var cpuStart = primary.CpuTime + replica.CpuTime;
            var runStart = wall.Elapsed;
            var loops = clients.Select((c, i) => Task.Run(
                async () =>
                {
                    while (!stop.IsCancellationRequested)
                    {
                        IReadOnlyList<ClientEvent> events;
                        try
                        {
                            events = await c.RunMailEpochAsync(stop.Token).ConfigureAwait(false);
                        }
                        catch (OperationCanceledException)
                        {
                            return;
                        }

                        lock (delivered)
                        {
                            foreach (var e in events)
                            {
                                switch (e.Kind)
                                {
                                    case ClientEventKind.MatchRequested:
                                    case ClientEventKind.MatchAccepted:
                                        requested[i] = wall.Elapsed;
                                        Say(quiet, $"[grey]{name}:[/] user {i}: {Markup.Escape(e.Detail)}");
                                        break;
                                    case ClientEventKind.ChatStarted:
                                        Say(quiet, $"[grey]{name}:[/] user {i}: [green]{Markup.Escape(e.Detail)}[/]");
                                        for (var k = 0; k < messages; k++)
                                        {
                                            c.Send($"message {k + 1} of {messages} from user {i}");
                                        }

                                        queued[i] = messages;
                                        break;
                                    case ClientEventKind.Message:
                                        if (delivered[i]++ == 0 && requested.TryGetValue(i, out var at))
                                        {
                                            firstMessage.Add((wall.Elapsed - at).TotalSeconds);
                                        }

                                        break;
                                }
                            }

                            var pairs = Pairs(clients);
                            if (pairs.Count >= users / 2 && pairs.All(p => delivered[p.A] >= messages && delivered[p.B] >= messages))
                            {
                                stop.Cancel();
                            }
                        }
                    }
                },
                CancellationToken.None)).ToArray();
            await Task.WhenAll(loops).ConfigureAwait(false);
            var runSeconds = (wall.Elapsed - runStart).TotalSeconds;
            var cpu = (primary.CpuTime + replica.CpuTime - cpuStart).TotalSeconds;
            var writesPerEpoch = clients.SelectMany(c => OnlineEpochCounts(c)).ToList();
            var ids = clients.SelectMany(c => c.Writes.Select(w => w.MailboxId)).ToList();
            var mailEpochs = clients.Sum(c => c.Writes.Count);
            var saw = await ServerViewAsync(http, primary.Address).ConfigureAwait(false);
            firstMessage.Sort();
            return new SchemeResult(
                name,
                users,
                Pairs(clients).Count,
                queued.Sum(),
                delivered.Sum(),
                writesPerEpoch.Count == 0 ? 0 : writesPerEpoch.Min(),
                writesPerEpoch.Count == 0 ? 0 : writesPerEpoch.Max(),
                ids.Count - ids.Distinct().Count(),
                wall.Elapsed.TotalSeconds,
                mailEpochs == 0 ? 0 : clients.Sum(c => (double)c.BytesUp) / mailEpochs,
                mailEpochs == 0 ? 0 : clients.Sum(c => (double)c.BytesDown) / mailEpochs,
                cpu / Math.Max(1, runSeconds / epochSeconds),
                firstMessage.Count == 0 ? null : firstMessage[firstMessage.Count / 2],
                saw);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    /// <summary>Writes per mail epoch over the range of mail epochs a client was online (0 marks a skipped epoch).</summary>
    private static IEnumerable<int> OnlineEpochCounts(PrivomegaClient client)
    {
        if (client.Writes.Count == 0)
        {
            yield break;
        }

        var counts = client.Writes.GroupBy(w => w.MailEpoch).ToDictionary(g => g.Key, g => g.Count());
        for (var m = counts.Keys.Min(); m <= counts.Keys.Max(); m++)
        {
            yield return counts.GetValueOrDefault(m);
        }
    }

    private static List<(int A, int B)> Pairs(List<PrivomegaClient> clients)
    {
        var pairs = new List<(int, int)>();
        for (var a = 0; a < clients.Count; a++)
        {
            for (var b = a + 1; b < clients.Count; b++)
            {
                if (clients[a].Session is { State: ChatState.Established or ChatState.Ended } sa && clients[b].Session is { State: ChatState.Established or ChatState.Ended } sb
                    && sa.Peer.Equals(clients[b].Identity.Certificate) && sb.Peer.Equals(clients[a].Identity.Certificate))
                {
                    pairs.Add((a, b));
                }
            }
        }

        return pairs;
    }

    // What the server recorded, from its own Prometheus metrics: counts only, in the leakage contract's terms.
    private static async Task<IReadOnlyList<string>> ServerViewAsync(HttpClient http, Uri primary)
    {
        try
        {
            var text = await http.GetStringAsync(new Uri(primary, "/metrics")).ConfigureAwait(false);
            return text.Split('\n').Where(l => l.StartsWith("privomega_", StringComparison.Ordinal) && !l.Contains("_bucket{", StringComparison.Ordinal)).Take(40).ToList();
        }
        catch (HttpRequestException e)
        {
            return [$"(metrics unavailable: {e.HttpRequestError})"];
        }
    }

    private static void Say(bool quiet, string markup)
    {
        if (!quiet)
        {
            AnsiConsole.MarkupLine(markup);
        }
    }
}
