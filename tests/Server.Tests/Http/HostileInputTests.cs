using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Privomega.Pir.Engine;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;

namespace Privomega.Server.Tests.Http;

/// <summary>
/// Issue item 8: every endpoint answers truncated, oversized, wrong-version, wrong-epoch, replayed,
/// double-spent and bad-proof-of-work input with a 4xx problem, stores nothing, and keeps serving.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class HostileInputTests(TestServers servers)
{
    private sealed record Snapshot(long Certificates, long Queue, HashSet<string> MailIds);

    // Nothing a refused request sent may be stored. Mail from earlier tests may expire meanwhile (the shared
    // servers keep mail for a few seconds), so stored mail may shrink but never gain an id.
    private async Task AssertNothingStoredSinceAsync(Snapshot before)
    {
        var after = await StoredAsync();
        Assert.Equal(before.Certificates, after.Certificates);
        Assert.Equal(before.Queue, after.Queue);
        Assert.Subset(before.MailIds, after.MailIds);
    }

    private async Task<Snapshot> StoredAsync()
    {
        var store = servers.Primary.Store;
        var epoch = servers.Services.Clock.CurrentEpoch;
        return new Snapshot(
            await store.CountCertificatesAsync(),
            await store.CountQueueAsync(epoch) + await store.CountQueueAsync(epoch + 1),
            [.. (await store.ReadMailAsync(0, ulong.MaxValue)).Select(m => Convert.ToHexString(m.MailboxId))]);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status, params string[] codes)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var code = json.GetProperty("code").GetString();
        Assert.True(codes.Contains(code), $"{response.RequestMessage?.RequestUri?.AbsolutePath}: {json}");
        Assert.Equal("urn:privomega:problem:" + code, json.GetProperty("type").GetString());
        Assert.Equal(status, json.GetProperty("status").GetInt32());
        return json;
    }

    /// <summary>A fresh valid request for route <paramref name="name"/> (made anew each time: snapshots and epochs move on).</summary>
    private async Task<(HttpMethod Method, string Path, byte[] Valid)> ValidAsync(string name, ApiDriver user)
    {
        var epoch = servers.Services.Clock.CurrentEpoch;
        var info = await user.InfoAsync();
        switch (name)
        {
            case "register":
                using (var fresh = new ApiDriver(servers.Primary.Http, servers.Replica.Http))
                {
                    return (HttpMethod.Post, "/v1/register", fresh.RegisterRequest(info.PowDifficulty).Encode());
                }

            case "inclusion":
                return (HttpMethod.Post, "/v1/directory/inclusion", new InclusionRequest(epoch, user.Certificate!.Encode()).Encode());
            case "queue":
                return (HttpMethod.Post, $"/v1/queue/{epoch}", [1, .. BigEndian(epoch), .. RandomNumberGenerator.GetBytes(MatchmakingRequest.SealedSize - 9)]);
            case "mail":
                return (HttpMethod.Post, "/v1/mail", new MailPut(ApiDriver.MailboxId(), user.NextToken(), new byte[info.MailCiphertextBytes]).Encode());
            case "tokens":
                return (HttpMethod.Post, "/v1/tokens/issue", await user.TokenIssueBodyAsync(1));
            case "eval-keys":
                return (HttpMethod.Put, "/v1/eval-keys", new EvalKeyUpload(epoch, new byte[32], PirDatabaseKind.Mailbox, new byte[64]).Encode());
            default:
                var config = await ProtocolFlowTests.ConfigAsync(servers.Primary.Http, "mailbox");
                using (var dpf = (DpfQuery)new DpfPirClient(config!.RecordCount, config.RecordBytes).Query(0)[0])
                {
                    return (HttpMethod.Post, $"/v1/pir/mailbox/{config.SnapshotId}/dpf", new PirBatchRequest(PirSchemeKind.XorDpf, new byte[16], user.NextToken(), [dpf.Encode()]).Encode());
                }
        }
    }

    private static byte[] BigEndian(ulong value)
    {
        var bytes = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    [Fact]
    public async Task Truncated_oversized_and_wrong_version_bodies_get_a_problem_store_nothing_and_the_server_keeps_serving()
    {
        using var user = new ApiDriver(servers.Primary.Http, servers.Replica.Http);
        await user.RegisterAsync();
        await user.FetchTokensAsync(16);
        var before = await StoredAsync();
        foreach (var name in new[] { "register", "inclusion", "queue", "mail", "tokens", "eval-keys", "pir" })
        {
            Func<byte[], byte[]>[] mutations =
            [
                valid => valid[..^1],                     // truncated by one byte
                valid => [.. valid, 0],                   // one byte too many
                valid => [2, .. valid[1..]],              // version 2
                valid => [],                              // empty
                valid => valid[..1],                      // version byte only
            ];
            foreach (var mutate in mutations)
            {
                var (method, path, valid) = await ValidAsync(name, user);
                var body = mutate(valid);
                using var request = new HttpRequestMessage(method, path) { Content = ApiDriver.Octets(body) };
                var response = await servers.Primary.Http.SendAsync(request);
                var status = (int)response.StatusCode;
                Assert.True(status is >= 400 and < 500, $"{name} with {body.Length} bytes answered {status}");
                await ProblemAsync(response, status, "truncated", "oversized", "wrong-version", "bad-value", "wrong-scheme", "bad-proof-of-work", "bad-signature");
            }

            // Far over the route's limit: refused before it is read (Expect: 100-continue, so the client waits for the verdict).
            var target = await ValidAsync(name, user);
            using var huge = new HttpRequestMessage(target.Method, target.Path) { Content = ApiDriver.Octets(new byte[40 << 20]) };
            huge.Headers.ExpectContinue = true;
            await ProblemAsync(await servers.Primary.Http.SendAsync(huge), 413, "body-too-large");
        }

        await AssertNothingStoredSinceAsync(before);
        Assert.Equal("ok", await servers.Primary.Http.GetStringAsync("/healthz"));

        // Unknown routes and methods are problems too.
        await ProblemAsync(await servers.Primary.Http.GetAsync("/v1/nothing-here"), 404, "not-found");
        await ProblemAsync(await servers.Primary.Http.GetAsync("/v1/pir/nodb/config"), 404, "not-found");
        await ProblemAsync(await servers.Replica.Http.PostAsync("/v1/mail", ApiDriver.Octets([1])), 404, "not-found");
        await ProblemAsync(await servers.Primary.Http.GetAsync("/v1/mail"), 405, "method-not-allowed");

        // And valid requests still work afterwards.
        var register = await ValidAsync("register", user);
        Assert.Equal(HttpStatusCode.Created, (await servers.Primary.Http.PostAsync(register.Path, ApiDriver.Octets(register.Valid))).StatusCode);
        var mail = await ValidAsync("mail", user);
        Assert.Equal(HttpStatusCode.Accepted, (await servers.Primary.Http.PostAsync(mail.Path, ApiDriver.Octets(mail.Valid))).StatusCode);
    }

    [Fact]
    public async Task Replayed_registration_double_spent_token_and_reused_mailbox_are_refused_without_storing()
    {
        using var user = new ApiDriver(servers.Primary.Http, servers.Replica.Http);
        await user.RegisterAsync();
        var info = await user.InfoAsync();
        await ProblemAsync(await servers.Primary.Http.PostAsync("/v1/register", ApiDriver.Octets(user.RegisterRequest(info.PowDifficulty).Encode())), 409, "duplicate-key");

        await user.FetchTokensAsync(3);
        var token = user.NextToken();
        var id = ApiDriver.MailboxId();
        var mail = new byte[info.MailCiphertextBytes];
        await ApiDriver.ExpectAsync(await user.PutMailAsync(id, token, mail), HttpStatusCode.Accepted);
        var before = await StoredAsync();

        // The same token again, to a fresh mailbox: double spend.
        await ProblemAsync(await user.PutMailAsync(ApiDriver.MailboxId(), token, mail), 409, "token-double-spent");

        // A fresh token to the used mailbox: refused, and that token stays unspent.
        var second = user.NextToken();
        await ProblemAsync(await user.PutMailAsync(id, second, mail), 409, "mailbox-taken");
        await AssertNothingStoredSinceAsync(before);
        await ApiDriver.ExpectAsync(await user.PutMailAsync(ApiDriver.MailboxId(), second, mail), HttpStatusCode.Accepted);

        // A forged token (right size, wrong authenticator) is not accepted.
        var forged = user.NextToken();
        forged[^1] ^= 1;
        await ProblemAsync(await user.PutMailAsync(ApiDriver.MailboxId(), forged, mail), 403, "token-invalid");
    }

    [Fact]
    public async Task Bad_proof_of_work_and_wrong_epochs_are_refused()
    {
        using var user = new ApiDriver(servers.Primary.Http, servers.Replica.Http);
        var info = await user.InfoAsync();
        var request = user.RegisterRequest(info.PowDifficulty);
        var before = await StoredAsync();

        // Nonce that does not solve the puzzle, and a difficulty below the server's.
        var wrongNonce = request with { PowNonce = request.PowNonce + 1 };
        if (!ProofOfWork.Verify(user.VrfKey.PublicKey, user.DhKey.PublicKey, info.PowDifficulty, wrongNonce.PowNonce))
        {
            await ProblemAsync(await servers.Primary.Http.PostAsync("/v1/register", ApiDriver.Octets(wrongNonce.Encode())), 400, "bad-proof-of-work");
        }

        var easy = new RegisterRequest(request.VrfKey, request.DhKey, 0, 0);
        await ProblemAsync(await servers.Primary.Http.PostAsync("/v1/register", ApiDriver.Octets(easy.Encode())), 400, "bad-proof-of-work");

        var epoch = servers.Services.Clock.CurrentEpoch;
        byte[] future = [1, .. BigEndian(epoch + 5), .. new byte[MatchmakingRequest.SealedSize - 9]];
        await ProblemAsync(await servers.Primary.Http.PostAsync($"/v1/queue/{epoch + 5}", ApiDriver.Octets(future)), 409, "wrong-epoch");
        await ProblemAsync(await servers.Primary.Http.PostAsync($"/v1/queue/{epoch}", ApiDriver.Octets(future)), 409, "wrong-epoch");
        await ProblemAsync(await servers.Primary.Http.GetAsync($"/v1/queue/{epoch + 5}"), 409, "wrong-epoch");
        var upload = new EvalKeyUpload(epoch + 7, new byte[32], PirDatabaseKind.Mailbox, new byte[8]).Encode();
        await ProblemAsync(await servers.Primary.Http.PutAsync("/v1/eval-keys", ApiDriver.Octets(upload)), 409, "wrong-epoch");
        await ProblemAsync(await servers.Primary.Http.PostAsync("/v1/pir/mailbox/999999999/dpf", ApiDriver.Octets([1])), 410, "unknown-snapshot");
        await ProblemAsync(await servers.Replica.Http.PostAsync("/v1/pir/directory/999999999/xor", ApiDriver.Octets([1])), 410, "unknown-snapshot");
        await AssertNothingStoredSinceAsync(before);
        Assert.Equal("ok", await servers.Replica.Http.GetStringAsync("/healthz"));
    }
}
