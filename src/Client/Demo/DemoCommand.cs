using System.CommandLine;
using System.Text.Json;
using Privomega.Client.Cli;
using Privomega.Pir.Engine;
using Spectre.Console;

namespace Privomega.Client.Demo;

/// <summary><c>privomega demo --users N --messages M [--scheme xor|dpf|lattice|all] [--json]</c>.</summary>
internal static class DemoCommand
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Create()
    {
        var users = new Option<int>("--users") { Description = "Clients to run (≥ 2).", DefaultValueFactory = _ => 12 };
        var messages = new Option<int>("--messages") { Description = "Lines each side of a pair sends.", DefaultValueFactory = _ => 5 };
        var scheme = new Option<string>("--scheme") { Description = "xor, dpf, lattice or all.", DefaultValueFactory = _ => "all" };
        var json = new Option<bool>("--json") { Description = "End with one JSON object of the figures." };
        var epoch = new Option<int>("--epoch-seconds") { Description = "Epoch length of the demo servers.", DefaultValueFactory = _ => 6 };
        var mailEpoch = new Option<int>("--mail-epoch-ms") { Description = "Mail epoch length of the demo servers.", DefaultValueFactory = _ => 1500 };
        var budget = new Option<int>("--timeout-seconds") { Description = "Give up on a scheme after this long.", DefaultValueFactory = _ => 240 };
        var command = new Command("demo", "Start a primary and a replica on loopback and run N clients that register, match at random and chat over each PIR scheme.");
        foreach (var option in new Option[] { users, messages, scheme, json, epoch, mailEpoch, budget })
        {
            command.Options.Add(option);
        }

        command.SetAction((r, ct) => RunAsync(r.GetValue(users), r.GetValue(messages), r.GetValue(scheme)!, r.GetValue(json), r.GetValue(epoch), r.GetValue(mailEpoch), r.GetValue(budget), ct));
        return command;
    }

    private static async Task<int> RunAsync(int users, int messages, string scheme, bool json, int epochSeconds, int mailEpochMs, int budgetSeconds, CancellationToken cancellationToken)
    {
        if (users is < 2 or > 200 || messages is < 0 or > 1000 || epochSeconds is < 1 or > 600 || mailEpochMs < 100 || mailEpochMs > epochSeconds * 1000)
        {
            return CliContext.Fail(1, "bad input", $"--users {users} (2..200), --messages {messages} (0..1000), --epoch-seconds {epochSeconds} (1..600), --mail-epoch-ms {mailEpochMs} (100..epoch)");
        }

        PirSchemeKind[] schemes;
        try
        {
            schemes = scheme == "all" ? [PirSchemeKind.XorBitVector, PirSchemeKind.XorDpf, PirSchemeKind.Lattice] : [CliContext.ParseScheme(scheme)];
        }
        catch (ArgumentException e)
        {
            return CliContext.Fail(1, "bad input", e.Message + " (or all)");
        }

        string serverDll;
        try
        {
            serverDll = ServerProcess.LocateServer();
        }
        catch (FileNotFoundException e)
        {
            return CliContext.Fail(2, "server not built", e.Message);
        }

        var results = new List<SchemeResult>();
        var skipped = new List<string>();
        foreach (var kind in schemes)
        {
            var result = await CliContext.GuardAsync(
                async () =>
                {
                    results.Add(await DemoRunner.RunAsync(serverDll, kind, users, messages, epochSeconds, mailEpochMs, TimeSpan.FromSeconds(budgetSeconds), json, cancellationToken).ConfigureAwait(false));
                    return 0;
                },
                null).ConfigureAwait(false);
            if (result != 0)
            {
                skipped.Add(CliContext.SchemeName(kind));
            }
        }

        if (!json)
        {
            var table = new Table().AddColumns("scheme", "matches", "sent", "delivered", "writes/client/mail epoch", "ids written twice", "wall s", "up B/mail epoch", "down B/mail epoch", "server CPU s/epoch", "match → 1st message s");
            foreach (var r in results)
            {
                table.AddRow(r.Scheme, $"{r.Matches}", $"{r.MessagesSent}", $"{r.MessagesDelivered}", $"{r.MinWritesPerClientPerEpoch}..{r.MaxWritesPerClientPerEpoch}", $"{r.MailboxIdsWrittenTwice}", $"{r.WallSeconds:F1}", $"{r.BytesUpPerMailEpoch:F0}", $"{r.BytesDownPerMailEpoch:F0}", $"{r.ServerCpuSecondsPerEpoch:F2}", r.MedianMatchToFirstMessageSeconds is { } s ? $"{s:F1}" : "-");
            }

            AnsiConsole.Write(table);
            foreach (var r in results)
            {
                AnsiConsole.MarkupLineInterpolated($"[grey]what the {r.Scheme} primary recorded (its metrics: counts of registrations, posts, polls, writes and reads — never who read what):[/]");
                foreach (var line in r.ServerSaw)
                {
                    AnsiConsole.WriteLine("  " + line);
                }
            }
        }
        else
        {
            var summary = new
            {
                users,
                matches = results.Sum(r => r.Matches),
                messagesSent = results.Sum(r => r.MessagesSent),
                messagesDelivered = results.Sum(r => r.MessagesDelivered),
                schemes = results.Select(r => r.Scheme).ToArray(),
                schemesFailed = skipped,
                writesPerClientPerEpoch = new { min = results.Count == 0 ? 0 : results.Min(r => r.MinWritesPerClientPerEpoch), max = results.Count == 0 ? 0 : results.Max(r => r.MaxWritesPerClientPerEpoch) },
                mailboxIdsWrittenTwice = results.Sum(r => r.MailboxIdsWrittenTwice),
                perScheme = results.Select(r => new
                {
                    r.Scheme, r.Matches, r.MessagesSent, r.MessagesDelivered, r.WallSeconds, r.BytesUpPerMailEpoch, r.BytesDownPerMailEpoch, r.ServerCpuSecondsPerEpoch,
                    matchToFirstMessageSeconds = r.MedianMatchToFirstMessageSeconds,
                }),
            };
            Console.WriteLine(JsonSerializer.Serialize(summary, Json));
        }

        return skipped.Count == 0 ? 0 : 2;
    }
}
