using System.Net;
using System.Security.Cryptography;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;

namespace Privomega.Server.Tests.Http;

/// <summary>The protocol end to end over real Kestrel: register, heads on both servers, private reads of keydir_t and mail.</summary>
[Collection(ServersGroup.Name)]
public sealed class ProtocolFlowTests(TestServers servers)
{
    internal static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe, string what, int seconds = 15)
        where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (true)
        {
            var value = await probe();
            if (value is not null)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"timed out waiting for {what}");
            await Task.Delay(50);
        }
    }

    internal static async Task<PirConfig?> ConfigAsync(HttpClient server, string db)
    {
        var response = await server.GetAsync($"/v1/pir/{db}/config");
        return response.StatusCode == HttpStatusCode.OK ? PirConfig.Decode(await response.Content.ReadAsByteArrayAsync()) : null;
    }

    [Fact]
    public async Task Registered_identity_is_read_privately_from_both_servers_and_verifies_against_the_signed_head()
    {
        using var user = new ApiDriver(servers.Primary.Http, servers.Replica.Http);
        var certificate = await user.RegisterAsync();
        var info = await user.InfoAsync();
        var serverKey = Ed25519PublicKey.Import(info.ServerKey.Span);
        Assert.True(certificate.Verify(serverKey, info.PowDifficulty));

        // The certificate enters keydir_t at the next epoch; wait for a head whose inclusion proof exists.
        MerkleProofMessage? proof = null;
        var head = await EventuallyAsync<EpochHead>(async () =>
        {
            var latest = EpochHead.Decode(await servers.Primary.Http.GetByteArrayAsync("/v1/heads/latest"));
            var response = await servers.Primary.Http.PostAsync("/v1/directory/inclusion", ApiDriver.Octets(new InclusionRequest(latest.Epoch, certificate.Encode()).Encode()));
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }

            proof = MerkleProofMessage.TryDecode(await response.Content.ReadAsByteArrayAsync(), out var p, out _) ? p : null;
            return latest;
        }, "the certificate in keydir_t");

        var index = (long)proof!.B;
        Assert.Equal((ulong)head.DirectorySize, proof.C);
        Assert.True(MerkleVerifier.VerifyInclusion(MerkleHash.HashLeaf(certificate.Encoded), index, head.DirectorySize, proof.Path.Span, head.DirectoryRoot));

        // The replica re-serves the same signed head once it has verified the directory.
        await EventuallyAsync<PirConfig>(async () => await ConfigAsync(servers.Replica.Http, "directory") is { } c && c.SnapshotId >= head.Epoch ? c : null, "the replica's directory");
        var replicaHead = EpochHead.Decode(await servers.Replica.Http.GetByteArrayAsync($"/v1/heads/{head.Epoch}"));
        Assert.True(replicaHead.Equals(head));

        // One private read (a DPF key to each server) yields a record that verifies on its own.
        var config = await ConfigAsync(servers.Primary.Http, "directory");
        var snapshot = head.Epoch;
        var bytes = await user.ReadAsync(PirDatabaseKind.Directory, snapshot, head.DirectorySize, DirectoryRecord.SizeFor(head.DirectorySize), index, primaryToken: null);
        var record = DirectoryRecord.Decode(bytes, head.DirectorySize);
        Assert.True(record.Verify(head, index, serverKey, info.PowDifficulty));
        Assert.Equal(certificate, record.Certificate);
        Assert.NotNull(config);
    }

    [Fact]
    public async Task Mail_put_is_found_by_a_private_read_of_the_snapshot_both_servers_serve()
    {
        using var user = new ApiDriver(servers.Primary.Http, servers.Replica.Http);
        await user.RegisterAsync();
        await user.FetchTokensAsync(4);
        var info = await user.InfoAsync();
        var id = ApiDriver.MailboxId();
        var ciphertext = RandomNumberGenerator.GetBytes((int)info.MailCiphertextBytes);
        var accepted = await ApiDriver.ExpectAsync(await user.PutMailAsync(id, user.NextToken(), ciphertext), HttpStatusCode.Accepted);
        Assert.True(ApiNumber.TryDecode(accepted, out var m, out _));

        for (var attempt = 0; ; attempt++)
        {
            var replicaConfig = await EventuallyAsync<PirConfig>(async () => await ConfigAsync(servers.Replica.Http, "mailbox") is { } c && c.SnapshotId >= m ? c : null, "the replica's mailbox snapshot");
            var mailHead = MailHead.Decode(await servers.Replica.Http.GetByteArrayAsync($"/v1/mail-heads/{replicaConfig.SnapshotId}"));
            Assert.True(mailHead.VerifySignature(Ed25519PublicKey.Import(info.ServerKey.Span)));
            Assert.Equal(mailHead.RecordCount, replicaConfig.RecordCount);
            try
            {
                var found = false;
                for (var j = 0; j < replicaConfig.HashCount; j++)
                {
                    var bucket = MailboxLayout.Candidate(mailHead.LayoutKey, j, id, replicaConfig.RecordCount);
                    var record = await user.ReadAsync(PirDatabaseKind.Mailbox, replicaConfig.SnapshotId, replicaConfig.RecordCount, replicaConfig.RecordBytes, bucket, user.NextToken());
                    if (MailboxLayout.TryFind(record, id, (int)info.MailCiphertextBytes, out var stored))
                    {
                        Assert.Equal(ciphertext, stored.ToArray());
                        found = true;
                    }
                }

                Assert.True(found, "the message is in one of its candidate buckets");
                return;
            }
            catch (Xunit.Sdk.TrueException e) when (attempt < 3 && e.Message.Contains("410", StringComparison.Ordinal))
            {
                // The primary moved two snapshots on between the two reads; read the newer one.
                await user.FetchTokensAsync(2);
            }
        }
    }
}
