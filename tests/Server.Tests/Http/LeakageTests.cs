using System.Net;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;
using Privomega.Pir.Engine;
using Privomega.Protocol.Api;

namespace Privomega.Server.Tests.Http;

/// <summary>
/// Issue item 8 / DESIGN "What the server may learn": after real traffic, the servers' logs, metrics and tables
/// hold no mailbox id, ciphertext, token, query or key — and a private read leaves no row anywhere.
/// </summary>
[Collection(ServersGroup.Name)]
public sealed class LeakageTests(TestServers servers)
{
    private static readonly Dictionary<string, string[]> AllowedSchema = new()
    {
        ["secrets"] = ["name", "value"],
        ["certificates"] = ["log_index", "key_hash", "encoded", "issued_at"],
        ["epoch_heads"] = ["epoch", "head"],
        ["mail_heads"] = ["mail_epoch", "head"],
        ["queue"] = ["epoch", "cursor", "request"],
        ["mail"] = ["mailbox_id", "mail_epoch", "ciphertext"],
        ["spent_tokens"] = ["period", "spent_key"],
        ["token_quota"] = ["period", "user_hash", "used"],
        ["eval_keys"] = ["period", "key_id", "db", "keys"],
    };

    private SqliteConnection OpenReadOnly()
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path.Combine(servers.DataDirectory, "primary.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private Dictionary<string, long> RowCounts()
    {
        using var connection = OpenReadOnly();
        var counts = new Dictionary<string, long>();
        // Heads are written by the clock, not by requests.
        foreach (var table in AllowedSchema.Keys.Where(t => !t.EndsWith("heads", StringComparison.Ordinal)))
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT COUNT(*) FROM {table}";
            counts[table] = (long)command.ExecuteScalar()!;
        }

        return counts;
    }

    [Fact]
    public async Task Logs_metrics_and_tables_hold_nothing_beyond_the_leakage_contract()
    {
        using var user = new ApiDriver(servers.Primary.Http, servers.Replica.Http);
        await user.RegisterAsync();
        await user.FetchTokensAsync(4);
        var info = await user.InfoAsync();
        var id = ApiDriver.MailboxId();
        var ciphertext = RandomNumberGenerator.GetBytes((int)info.MailCiphertextBytes);
        var token = user.NextToken();
        await ApiDriver.ExpectAsync(await user.PutMailAsync(id, token, ciphertext), HttpStatusCode.Accepted);

        // A private read at the replica (retried if the snapshot moved on between config and query).
        PirConfig config = null!;
        PirQuery[] queries = [];
        byte[] query = [];
        Dictionary<string, long> before = [];
        for (var attempt = 0; ; attempt++)
        {
            config = await ProtocolFlowTests.EventuallyAsync(() => ProtocolFlowTests.ConfigAsync(servers.Replica.Http, "mailbox"), "a mailbox snapshot");
            queries = new DpfPirClient(config.RecordCount, config.RecordBytes).Query(MailboxLayout.Candidate(config.LayoutKey.Span, 0, id, config.RecordCount));
            query = queries[1].Encode();
            before = RowCounts();
            var response = await servers.Replica.Http.PostAsync($"/v1/pir/mailbox/{config.SnapshotId}/dpf", ApiDriver.Octets(new PirBatchRequest(PirSchemeKind.XorDpf, new byte[16], Array.Empty<byte>(), [query]).Encode()));
            if (response.StatusCode == HttpStatusCode.OK || attempt == 5)
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                break;
            }
        }

        var batch = new PirBatchRequest(PirSchemeKind.XorDpf, new byte[16], Array.Empty<byte>(), [query]).Encode();
        var directoryRead = await servers.Primary.Http.PostAsync($"/v1/pir/directory/999/dpf", ApiDriver.Octets(batch));
        Assert.Equal(HttpStatusCode.Gone, directoryRead.StatusCode);

        // A read at the primary that carries no token is refused and leaves no trace either.
        var primaryConfig = await ProtocolFlowTests.ConfigAsync(servers.Primary.Http, "mailbox");
        var refused = await servers.Primary.Http.PostAsync($"/v1/pir/mailbox/{primaryConfig!.SnapshotId}/dpf", ApiDriver.Octets(new PirBatchRequest(PirSchemeKind.XorDpf, new byte[16], Array.Empty<byte>(), [queries[0].Encode()]).Encode()));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(before, RowCounts());

        // Nothing secret, query-derived or linking appears in logs or metrics, in hex or base64.
        string[] secrets = [.. new[] { id, ciphertext, token, query[..32], user.Certificate!.Encode()[1..33] }
            .SelectMany(b => new[] { Convert.ToHexString(b), Convert.ToHexString(b).ToLowerInvariant(), Convert.ToBase64String(b) })];
        var logs = string.Join('\n', servers.Primary.Logs.Lines.Concat(servers.Replica.Logs.Lines));
        var metrics = await servers.Primary.Http.GetStringAsync("/metrics") + await servers.Replica.Http.GetStringAsync("/metrics");
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(secret, logs, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, metrics, StringComparison.Ordinal);
        }

        // Metrics carry only route templates, schemes and databases: no concrete path with an id, no address.
        Assert.Contains("privomega_pir_answer_duration", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("client_address", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain($"/v1/pir/mailbox/{config.SnapshotId}", metrics, StringComparison.Ordinal);

        // Tables: exactly the allowed columns (no reader, writer, address or time column on mail, no link
        // between a spent token and the mail it paid for), and no query bytes stored anywhere.
        using var connection = OpenReadOnly();
        using (var tables = connection.CreateCommand())
        {
            tables.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name";
            using var reader = tables.ExecuteReader();
            var names = new List<string>();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }

            Assert.Equal(AllowedSchema.Keys.Order(), names);
        }

        foreach (var (table, columns) in AllowedSchema)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT name FROM pragma_table_info('{table}') ORDER BY cid";
            using var reader = command.ExecuteReader();
            var found = new List<string>();
            while (reader.Read())
            {
                found.Add(reader.GetString(0));
            }

            Assert.Equal(columns, found);
        }

        using (var search = connection.CreateCommand())
        {
            search.CommandText = "SELECT (SELECT COUNT(*) FROM mail WHERE instr(ciphertext, $q) > 0) + (SELECT COUNT(*) FROM queue WHERE instr(request, $q) > 0) + (SELECT COUNT(*) FROM eval_keys WHERE instr(keys, $q) > 0)";
            search.Parameters.AddWithValue("$q", query[..32]);
            Assert.Equal(0L, (long)search.ExecuteScalar()!);
        }

        foreach (var q in queries)
        {
            (q as IDisposable)?.Dispose();
        }
    }
}
