using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Server.Replication;

namespace Privomega.Server.Tests.Http;

/// <summary>Issue item 8: a replica fed a tampered snapshot refuses it; a primary that signs two heads for one epoch is caught.</summary>
[Collection(ServersGroup.Name)]
public sealed class IntegrityTests(TestServers servers)
{
    /// <summary>Forwards GETs to the primary, flipping one byte of every replication snapshot while <see cref="Tamper"/> is set.</summary>
    private sealed class TamperingProxy : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly HttpClient _upstream;

        private TamperingProxy(WebApplication app, HttpClient upstream, Uri address)
        {
            _app = app;
            _upstream = upstream;
            Address = address;
        }

        public volatile bool Tamper = true;

        public Uri Address { get; }

        public static async Task<TamperingProxy> StartAsync(Uri primary)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            var upstream = new HttpClient { BaseAddress = primary };
            TamperingProxy? proxy = null;
            app.Run(async context =>
            {
                var response = await upstream.GetAsync(context.Request.Path + context.Request.QueryString);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (proxy!.Tamper && response.IsSuccessStatusCode && context.Request.Path.StartsWithSegments("/v1/replication") && !context.Request.Path.Value!.Contains("heads", StringComparison.Ordinal) && body.Length > 0)
                {
                    body[^1] ^= 0x01;
                }

                context.Response.StatusCode = (int)response.StatusCode;
                await context.Response.Body.WriteAsync(body);
            });
            await app.StartAsync();
            var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            proxy = new TamperingProxy(app, upstream, address);
            return proxy;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _upstream.Dispose();
        }
    }

    [Fact]
    public async Task Replica_refuses_tampered_snapshots_serves_nothing_from_them_and_recovers_when_they_are_honest()
    {
        // Someone registered, so keydir_t is not empty and the directory snapshot is replicated too.
        using (var user = new ApiDriver(servers.Primary.Http, servers.Replica.Http))
        {
            await user.RegisterAsync();
        }

        await using var proxy = await TamperingProxy.StartAsync(servers.Primary.Address);
        await using var replica = await RunningServer.StartAsync([.. TestServers.Timing, "--Privomega:Role=Replica", "--Privomega:Storage=memory", $"--Privomega:PrimaryUrl={proxy.Address}"]);
        var state = replica.App.Services.GetRequiredService<ReplicaState>();

        var start = servers.Services.Mailbox.LatestHead!.MailEpoch;
        await ProtocolFlowTests.EventuallyAsync<object>(async () =>
        {
            await Task.Yield();
            return state.Rejected >= 3 && servers.Services.Mailbox.LatestHead!.MailEpoch >= start + 3 ? new object() : null;
        }, "the replica to refuse tampered snapshots");

        // Nothing tampered is served: no mailbox snapshot, no mail head, no directory.
        Assert.Null(state.LatestMailHead);
        Assert.Null(await ProtocolFlowTests.ConfigAsync(replica.Http, "mailbox"));
        Assert.Null(await ProtocolFlowTests.ConfigAsync(replica.Http, "directory"));
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, (await replica.Http.GetAsync("/v1/mail-heads/latest")).StatusCode);
        Assert.Contains(replica.Logs.Lines, l => l.Contains("snapshot rejected", StringComparison.Ordinal));
        var metrics = await replica.Http.GetStringAsync("/metrics");
        Assert.Contains("privomega_replica_rejected", metrics, StringComparison.Ordinal);

        // Honest bytes again: the replica verifies and serves the primary's current snapshots.
        proxy.Tamper = false;
        var config = await ProtocolFlowTests.EventuallyAsync(() => ProtocolFlowTests.ConfigAsync(replica.Http, "mailbox"), "the replica to accept an honest snapshot");
        var head = MailHead.Decode(await replica.Http.GetByteArrayAsync($"/v1/mail-heads/{config.SnapshotId}"));
        var primaryHead = MailHead.Decode(await servers.Primary.Http.GetByteArrayAsync($"/v1/mail-heads/{config.SnapshotId}"));
        Assert.True(head.SameBody(primaryHead));
        await ProtocolFlowTests.EventuallyAsync(() => ProtocolFlowTests.ConfigAsync(replica.Http, "directory"), "the replica to accept an honest directory");
    }

    [Fact]
    public async Task A_second_signed_head_for_an_epoch_is_caught_by_comparing_with_the_replica()
    {
        var info = ServerInfo.Decode(await servers.Primary.Http.GetByteArrayAsync("/v1/info"));
        var key = Protocol.Primitives.Ed25519PublicKey.Import(info.ServerKey.Span);

        // The head the replica verified and re-serves.
        var honest = await ProtocolFlowTests.EventuallyAsync<EpochHead>(async () =>
        {
            var response = await servers.Replica.Http.GetAsync("/v1/heads/latest");
            return response.IsSuccessStatusCode ? EpochHead.Decode(await response.Content.ReadAsByteArrayAsync()) : null;
        }, "a head at the replica");

        // A lying primary shows this client another body for the same epoch, signed with its real key.
        var forged = EpochHead.Sign(servers.Services.Keys.Signing, honest.Epoch, honest.TimeMilliseconds, new byte[32], honest.DirectorySize, honest.DirectoryRoot,
            honest.LogSize, honest.LogRoot, honest.MailboxSnapshotId, honest.MailboxSnapshotDigest, honest.PreviousHash);

        // The server itself never stores a second head for an epoch.
        Assert.False(await servers.Primary.Store.TryAddEpochHeadAsync(honest.Epoch, forged.Encode()));
        Assert.True((await servers.Primary.Store.GetEpochHeadAsync(honest.Epoch))!.AsSpan().SequenceEqual(honest.Encode()));

        var monitor = new EpochHeadMonitor(key);
        Assert.Equal(HeadObservation.Accepted, monitor.Observe(honest, []));
        Assert.Equal(HeadObservation.Equivocation, monitor.Observe(forged, []));
        var evidence = EquivocationEvidence.Decode(monitor.Evidence!.Encode());
        Assert.True(evidence.Verify(key));
    }
}
