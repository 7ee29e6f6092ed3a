using System.Net;
using System.Security.Cryptography;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;

namespace Privomega.Server.Tests.Http;

/// <summary>Lattice PIR at the primary over real Kestrel: Galois keys uploaded under a secret-bound id, one query, the record verifies.</summary>
[Collection(ServersGroup.Name)]
public sealed class LatticeReadTests(TestServers servers)
{
    [Fact]
    public async Task Own_directory_record_is_read_by_lattice_pir_and_verifies_and_an_unknown_key_id_is_a_404()
    {
        using var user = new ApiDriver(servers.Primary.Http, servers.Replica.Http);
        var certificate = await user.RegisterAsync();
        var info = await user.InfoAsync();
        var serverKey = Ed25519PublicKey.Import(info.ServerKey.Span);

        MerkleProofMessage? proof = null;
        var head = await ProtocolFlowTests.EventuallyAsync<EpochHead>(async () =>
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

        var config = await ProtocolFlowTests.ConfigAsync(servers.Primary.Http, "directory");
        Assert.NotNull(config);
        Assert.NotEqual(0, config.Schemes & (1 << (int)PirSchemeKind.Lattice));
        var parameters = LatticePirPlanner.Plan(config.RecordCount, config.RecordBytes, dimensions: config.LatticeDimensions);
        using var client = new LatticePirClient(parameters);
        var secret = RandomNumberGenerator.GetBytes(EvalKeyUpload.SecretSize);
        var keys = client.GaloisKeys.Encode();

        // Upload under the current key period (one period = one epoch; the head may lag the clock by one).
        EvalKeyReceipt? receipt = null;
        for (var period = head.Epoch; receipt is null && period <= head.Epoch + 3; period++)
        {
            var response = await servers.Primary.Http.PutAsync("/v1/eval-keys", ApiDriver.Octets(new EvalKeyUpload(period, secret, PirDatabaseKind.Directory, keys).Encode()));
            if (response.StatusCode == HttpStatusCode.Created)
            {
                Assert.True(EvalKeyReceipt.TryDecode(await response.Content.ReadAsByteArrayAsync(), out receipt, out var receiptError), receiptError.ToString());
            }
        }

        Assert.NotNull(receipt);
        var query = client.Query(index);
        var batch = new PirBatchRequest(PirSchemeKind.Lattice, receipt.KeyId, Array.Empty<byte>(), [query.Encode()]);
        var body = await ApiDriver.ExpectAsync(await servers.Primary.Http.PostAsync($"/v1/pir/directory/{config.SnapshotId}/lattice", ApiDriver.Octets(batch.Encode())), HttpStatusCode.OK);
        Assert.True(PirBatchResponse.TryDecode(body, out var answers, out var error), error.ToString());
        var bytes = client.Recover(index, LatticeAnswer.Decode(answers.Answers[0].Span, parameters));
        var snapshotHead = EpochHead.Decode(await servers.Primary.Http.GetByteArrayAsync($"/v1/heads/{config.SnapshotId}"));
        var record = DirectoryRecord.Decode(bytes, snapshotHead.DirectorySize);
        Assert.True(record.Verify(snapshotHead, index, serverKey, info.PowDifficulty));
        Assert.Equal(certificate, record.Certificate);

        // A key id nobody uploaded: a clear 404 unknown-key, and the body names no key id.
        var unknown = new PirBatchRequest(PirSchemeKind.Lattice, RandomNumberGenerator.GetBytes(PirBatchRequest.KeyIdSize), Array.Empty<byte>(), [query.Encode()]);
        var refused = await servers.Primary.Http.PostAsync($"/v1/pir/directory/{config.SnapshotId}/lattice", ApiDriver.Octets(unknown.Encode()));
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.Contains("unknown-key", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexString(receipt.KeyId.Span), problem, StringComparison.OrdinalIgnoreCase);
    }
}
