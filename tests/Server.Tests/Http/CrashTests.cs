using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Privomega.Server.Storage;

namespace Privomega.Server.Tests.Http;

/// <summary>Issue item 8: a primary killed with SIGKILL in the middle of a stream of mail puts still holds every acknowledged message after a restart.</summary>
public sealed class CrashTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("privomega-crash-").FullName;

    private static async Task<(Process Process, Uri Address)> StartAsync(string data)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Privomega.Server.dll");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { dll, "--urls", "http://127.0.0.1:0", "--Privomega:Profile=development", "--Privomega:Storage=sqlite", $"--Privomega:DataDirectory={data}", "--Privomega:EpochSeconds=2", "--Privomega:MailEpochMilliseconds=250", "--Privomega:MailRetentionEpochs=100000" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var address = new TaskCompletionSource<Uri>();
        process.OutputDataReceived += (_, e) =>
        {
            var at = e.Data?.IndexOf("Now listening on: ", StringComparison.Ordinal) ?? -1;
            if (at >= 0)
            {
                address.TrySetResult(new Uri(e.Data![(at + 18)..].Trim()));
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var ready = await Task.WhenAny(address.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        Assert.True(ready == address.Task, "the server process did not start");
        return (process, await address.Task);
    }

    [Fact]
    public async Task Every_acknowledged_mail_survives_sigkill_and_restart()
    {
        var (server, address) = await StartAsync(_data);
        var acknowledged = new ConcurrentBag<string>();
        byte[] spentToken;
        try
        {
            using var http = new HttpClient { BaseAddress = address };
            using var user = new ApiDriver(http, http);
            await user.RegisterAsync();
            await user.FetchTokensAsync(400);
            var info = await user.InfoAsync();
            spentToken = user.NextToken();
            await ApiDriver.ExpectAsync(await user.PutMailAsync(ApiDriver.MailboxId(), spentToken, new byte[info.MailCiphertextBytes]), HttpStatusCode.Accepted);

            // Four writers stream puts; the server is killed while they run.
            var tokens = new ConcurrentQueue<byte[]>(Enumerable.Range(0, 390).Select(_ => user.NextToken()));
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested && tokens.TryDequeue(out var token))
                {
                    var id = ApiDriver.MailboxId();
                    try
                    {
                        var response = await http.PostAsync("/v1/mail", ApiDriver.Octets(new Protocol.Api.MailPut(id, token, RandomNumberGenerator.GetBytes((int)info.MailCiphertextBytes)).Encode()));
                        if (response.StatusCode == HttpStatusCode.Accepted)
                        {
                            acknowledged.Add(Convert.ToHexString(id));
                        }
                    }
                    catch (HttpRequestException)
                    {
                        return;
                    }
                }
            })).ToArray();

            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (acknowledged.Count < 40 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            server.Kill(); // SIGKILL on Linux: no shutdown, no flush.
            await server.WaitForExitAsync();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill();
            }

            server.Dispose();
        }

        Assert.True(acknowledged.Count >= 40, $"only {acknowledged.Count} puts were acknowledged before the kill");

        var (restarted, again) = await StartAsync(_data);
        try
        {
            using var http = new HttpClient { BaseAddress = again };
            Assert.Equal("ok", await http.GetStringAsync("/healthz"));

            // The spent set survived too: the first token cannot be spent again.
            var info = Protocol.Api.ServerInfo.Decode(await http.GetByteArrayAsync("/v1/info"));
            var replay = await http.PostAsync("/v1/mail", ApiDriver.Octets(new Protocol.Api.MailPut(ApiDriver.MailboxId(), spentToken, new byte[info.MailCiphertextBytes]).Encode()));
            Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);

            using var store = SqliteServerStore.Open(Path.Combine(_data, "primary.db"));
            var stored = (await store.ReadMailAsync(0, ulong.MaxValue)).Select(m => Convert.ToHexString(m.MailboxId)).ToHashSet();
            Assert.All(acknowledged, id => Assert.Contains(id, stored));
        }
        finally
        {
            restarted.Kill();
            await restarted.WaitForExitAsync();
            restarted.Dispose();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
