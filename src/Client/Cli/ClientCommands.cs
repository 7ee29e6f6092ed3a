using System.Diagnostics;
using Privomega.Client.Audit;
using Privomega.Client.Chat;
using Privomega.Client.Identity;
using Spectre.Console;

namespace Privomega.Client.Cli;

/// <summary>The <c>register</c>, <c>match</c>, <c>chat</c> and <c>audit</c> commands.</summary>
internal static class ClientCommands
{
    public static Task<int> RegisterAsync(CliContext context, CancellationToken cancellationToken) => CliContext.GuardAsync(
        async () =>
        {
            var (client, primary, replica) = context.Open(autoMatch: false);
            using (client)
            using (primary)
            using (replica)
            {
                if (client.Identity.Certificate is not null)
                {
                    // A fresh identity every registration: identities are short-lived by design.
                    client.Identity.Dispose();
                }

                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                    .StartAsync(async progress =>
                    {
                        var task = progress.AddTask("proof of work", maxValue: 1.0);
                        var report = new Progress<PowProgress>(p => task.Value = Math.Min(0.99, 1 - Math.Exp(-p.Hashes / Math.Max(1, p.ExpectedHashes))));
                        await client.ConnectAsync(report, cancellationToken).ConfigureAwait(false);
                        task.Value = 1.0;
                    }).ConfigureAwait(false);
                context.Save(client);
                var certificate = client.Identity.Certificate!;
                AnsiConsole.MarkupLineInterpolated($"registered [green]{PrivomegaClient.Fingerprint(certificate)}[/]: issued at {DateTimeOffset.FromUnixTimeSeconds((long)certificate.IssuedAt):u}, valid for {client.Deployment!.CertificateLifetime.TotalMinutes:F1} min, listed from the next epoch; state in {context.StateDirectory}");
                return 0;
            }
        },
        context.EvidencePath);

    public static Task<int> MatchAsync(CliContext context, int maxEpochs, CancellationToken cancellationToken) => CliContext.GuardAsync(
        async () =>
        {
            var (client, primary, replica) = context.Open(autoMatch: true);
            using (client)
            using (primary)
            using (replica)
            {
                await client.ConnectAsync(null, cancellationToken).ConfigureAwait(false);
                var started = Stopwatch.StartNew();
                var deadline = client.Deployment!.EpochLength * maxEpochs;
                try
                {
                    while (started.Elapsed < deadline)
                    {
                        foreach (var e in await client.RunMailEpochAsync(cancellationToken).ConfigureAwait(false))
                        {
                            Print(e);
                            if (e.Kind == ClientEventKind.ChatStarted)
                            {
                                AnsiConsole.MarkupLineInterpolated($"matched after {started.Elapsed.TotalSeconds:F1} s; ending the chat (use [bold]chat[/] to talk)");
                                client.EndChat();
                                await client.RunMailEpochAsync(cancellationToken).ConfigureAwait(false);
                                return 0;
                            }
                        }
                    }
                }
                finally
                {
                    context.Save(client);
                }

                AnsiConsole.MarkupLineInterpolated($"[yellow]no match[/] within {maxEpochs} epochs ({client.Head?.DirectorySize ?? 0} users listed); try again");
                return 4;
            }
        },
        context.EvidencePath);

    public static Task<int> ChatAsync(CliContext context, CancellationToken cancellationToken) => CliContext.GuardAsync(
        async () =>
        {
            var (client, primary, replica) = context.Open(autoMatch: true);
            using (client)
            using (primary)
            using (replica)
            {
                await client.ConnectAsync(null, cancellationToken).ConfigureAwait(false);
                AnsiConsole.MarkupLineInterpolated($"connected to {primary.Name}; mail epoch {client.Deployment!.MailEpochLength.TotalMilliseconds:F0} ms, PIR {CliContext.SchemeName(context.Scheme)}; looking for a stranger… (type a line and Enter to send, /quit to leave)");
                var lines = System.Threading.Channels.Channel.CreateUnbounded<string?>();
                var reader = Task.Run(
                    async () =>
                    {
                        while (await Console.In.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
                        {
                            await lines.Writer.WriteAsync(line, cancellationToken).ConfigureAwait(false);
                        }

                        lines.Writer.TryComplete();
                    },
                    cancellationToken);
                var quitting = false;
                var pendingLines = new Queue<string>();
                try
                {
                    while (true)
                    {
                        while (lines.Reader.TryRead(out var line))
                        {
                            if (line is null || line.Trim() == "/quit")
                            {
                                quitting = true;
                            }
                            else if (line.Length > 0)
                            {
                                pendingLines.Enqueue(line);
                            }
                        }

                        if (lines.Reader.Completion.IsCompleted && !lines.Reader.TryPeek(out _))
                        {
                            quitting = true;
                        }

                        while (pendingLines.Count > 0 && client.Session is { State: ChatState.Established })
                        {
                            client.Send(pendingLines.Dequeue());
                        }

                        if (quitting && (client.Session is not { IsLive: true } || client.Session.Queued == 0))
                        {
                            if (client.Session is { IsLive: true })
                            {
                                client.EndChat();
                                await client.RunMailEpochAsync(cancellationToken).ConfigureAwait(false);
                            }

                            AnsiConsole.MarkupLine("bye");
                            return 0;
                        }

                        var before = client.Session?.Sent ?? 0;
                        foreach (var e in await client.RunMailEpochAsync(cancellationToken).ConfigureAwait(false))
                        {
                            Print(e);
                        }

                        if (client.Session is { } session && session.Sent > before && before > 0)
                        {
                            AnsiConsole.MarkupLineInterpolated($"[grey]  ✓ sent in mail epoch {client.Writes[^1].MailEpoch}[/]");
                        }
                    }
                }
                finally
                {
                    context.Save(client);
                }
            }
        },
        context.EvidencePath);

    public static int Audit(CliContext context)
    {
        if (!File.Exists(context.LedgerPath))
        {
            return CliContext.Fail(1, "nothing to audit", $"no ledger at {context.LedgerPath} (run register, match or chat first)");
        }

        ClientLedger ledger;
        try
        {
            ledger = ClientLedger.Load(context.LedgerPath);
        }
        catch (System.Text.Json.JsonException e)
        {
            return CliContext.Fail(1, "damaged ledger", $"{context.LedgerPath}: {e.Message}");
        }

        var report = Auditor.Run(ledger);
        var table = new Table().AddColumns("check", "items", "result");
        foreach (var check in report.Checks)
        {
            var result = check.Passed ? "[green]ok[/]" : $"[red]{Markup.Escape(string.Join("; ", check.Failures))}[/]";
            if (check.Note is not null)
            {
                result += $" [grey]({Markup.Escape(check.Note)})[/]";
            }

            table.AddRow(Markup.Escape(check.Name), check.Checked.ToString(System.Globalization.CultureInfo.InvariantCulture), result);
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated($"epochs {report.FirstEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}..{report.LastEpoch?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}: {(report.Passed ? "[green]everything checked held[/]" : "[red]the audit found failures[/]")}");
        return report.Passed ? 0 : 5;
    }

    private static void Print(ClientEvent e)
    {
        switch (e.Kind)
        {
            case ClientEventKind.Message:
                AnsiConsole.MarkupLineInterpolated($"[bold cyan]stranger:[/] {e.Text}");
                break;
            case ClientEventKind.ChatStarted:
                AnsiConsole.MarkupLineInterpolated($"[green]{e.Detail}[/] — say hi");
                break;
            case ClientEventKind.ChatEnded:
                AnsiConsole.MarkupLineInterpolated($"[yellow]{e.Detail}[/]");
                break;
            default:
                AnsiConsole.MarkupLineInterpolated($"[grey]{e.Detail}[/]");
                break;
        }
    }
}
