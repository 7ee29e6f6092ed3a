using Microsoft.Data.Sqlite;

namespace Privomega.Server.Storage;

/// <summary>
/// <see cref="IServerStore"/> on SQLite (the embedded default): WAL journal, <c>synchronous=FULL</c>, so a
/// call returns only after its transaction's commit record is on disk. One connection, one writer at a time.
/// Tables hold exactly what <see cref="IServerStore"/> documents: no addresses, no reader or writer links,
/// mail without timestamps (WITHOUT ROWID, so not even insertion order survives within a mail epoch).
/// </summary>
public sealed class SqliteServerStore : IServerStore
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS certificates (log_index INTEGER PRIMARY KEY, key_hash BLOB NOT NULL UNIQUE, encoded BLOB NOT NULL, issued_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS epoch_heads (epoch INTEGER PRIMARY KEY, head BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS mail_heads (mail_epoch INTEGER PRIMARY KEY, head BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS queue (epoch INTEGER NOT NULL, cursor INTEGER NOT NULL, request BLOB NOT NULL, PRIMARY KEY (epoch, cursor)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS mail (mailbox_id BLOB PRIMARY KEY, mail_epoch INTEGER NOT NULL, ciphertext BLOB NOT NULL) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS mail_by_epoch ON mail (mail_epoch, mailbox_id);
        CREATE TABLE IF NOT EXISTS spent_tokens (period INTEGER NOT NULL, spent_key BLOB NOT NULL, PRIMARY KEY (period, spent_key)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS token_quota (period INTEGER NOT NULL, user_hash BLOB NOT NULL, used INTEGER NOT NULL, PRIMARY KEY (period, user_hash)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS eval_keys (period INTEGER NOT NULL, key_id BLOB NOT NULL, db INTEGER NOT NULL, keys BLOB NOT NULL, PRIMARY KEY (period, key_id, db)) WITHOUT ROWID;
        """;

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);

    private SqliteServerStore(SqliteConnection connection) => _connection = connection;

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/>.</summary>
    public static SqliteServerStore Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var builder = new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false };
        var connection = new SqliteConnection(builder.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Execute(connection, "PRAGMA synchronous=FULL;");
        Execute(connection, "PRAGMA foreign_keys=ON;");
        Execute(connection, Schema);
        return new SqliteServerStore(connection);
    }

    /// <summary>The journal mode and synchronous level in force (for tests and start-up logs).</summary>
    public (string JournalMode, long Synchronous) Durability()
    {
        _gate.Wait();
        try
        {
            using var a = _connection.CreateCommand();
            a.CommandText = "PRAGMA journal_mode;";
            var mode = (string)a.ExecuteScalar()!;
            using var b = _connection.CreateCommand();
            b.CommandText = "PRAGMA synchronous;";
            return (mode, (long)b.ExecuteScalar()!);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public Task<byte[]> GetOrCreateSecretAsync(string name, Func<byte[]> create, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(create);
        return Locked(() =>
        {
            using var tx = _connection.BeginTransaction();
            var existing = Scalar(tx, "SELECT value FROM secrets WHERE name = $n", ("$n", name)) as byte[];
            if (existing is not null)
            {
                return existing;
            }

            var value = create();
            NonQuery(tx, "INSERT INTO secrets (name, value) VALUES ($n, $v)", ("$n", name), ("$v", value));
            tx.Commit();
            return (byte[])value.Clone();
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<long?> TryAppendCertificateAsync(byte[] keyHash, byte[] encoded, ulong issuedAt, CancellationToken cancellationToken = default) => Locked<long?>(() =>
    {
        using var tx = _connection.BeginTransaction();
        if (Scalar(tx, "SELECT 1 FROM certificates WHERE key_hash = $k", ("$k", keyHash)) is not null)
        {
            return null;
        }

        var index = (long)Scalar(tx, "SELECT COUNT(*) FROM certificates")!;
        NonQuery(tx, "INSERT INTO certificates (log_index, key_hash, encoded, issued_at) VALUES ($i, $k, $e, $t)", ("$i", index), ("$k", keyHash), ("$e", encoded), ("$t", (long)issuedAt));
        tx.Commit();
        return index;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<long> CountCertificatesAsync(CancellationToken cancellationToken = default) =>
        Locked(() => (long)Scalar(null, "SELECT COUNT(*) FROM certificates")!, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredCertificate>> ReadCertificatesAsync(long fromIndex, int max, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<StoredCertificate>>(() => Rows(
            "SELECT log_index, encoded, issued_at FROM certificates WHERE log_index >= $f ORDER BY log_index LIMIT $m",
            r => new StoredCertificate(r.GetInt64(0), (byte[])r[1], (ulong)r.GetInt64(2)),
            ("$f", fromIndex),
            ("$m", Math.Max(0, max))), cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryAddEpochHeadAsync(ulong epoch, byte[] head, CancellationToken cancellationToken = default) => AddHead("epoch_heads", "epoch", epoch, head, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetEpochHeadAsync(ulong epoch, CancellationToken cancellationToken = default) =>
        Locked(() => Scalar(null, "SELECT head FROM epoch_heads WHERE epoch = $e", ("$e", (long)epoch)) as byte[], cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetLatestEpochHeadAsync(CancellationToken cancellationToken = default) =>
        Locked(() => Scalar(null, "SELECT head FROM epoch_heads ORDER BY epoch DESC LIMIT 1") as byte[], cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadEpochHeadsAsync(ulong fromEpoch, int max, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<byte[]>>(() => Rows("SELECT head FROM epoch_heads WHERE epoch >= $f ORDER BY epoch LIMIT $m", r => (byte[])r[0], ("$f", (long)fromEpoch), ("$m", Math.Max(0, max))), cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryAddMailHeadAsync(ulong mailEpoch, byte[] head, CancellationToken cancellationToken = default) => AddHead("mail_heads", "mail_epoch", mailEpoch, head, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetMailHeadAsync(ulong mailEpoch, CancellationToken cancellationToken = default) =>
        Locked(() => Scalar(null, "SELECT head FROM mail_heads WHERE mail_epoch = $e", ("$e", (long)mailEpoch)) as byte[], cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetLatestMailHeadAsync(CancellationToken cancellationToken = default) =>
        Locked(() => Scalar(null, "SELECT head FROM mail_heads ORDER BY mail_epoch DESC LIMIT 1") as byte[], cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<byte[]>> ReadMailHeadsAsync(ulong fromMailEpoch, int max, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<byte[]>>(() => Rows("SELECT head FROM mail_heads WHERE mail_epoch >= $f ORDER BY mail_epoch LIMIT $m", r => (byte[])r[0], ("$f", (long)fromMailEpoch), ("$m", Math.Max(0, max))), cancellationToken);

    /// <inheritdoc />
    public Task<long> EnqueueAsync(ulong epoch, byte[] request, CancellationToken cancellationToken = default) => Locked(() =>
    {
        using var tx = _connection.BeginTransaction();
        var cursor = (long)Scalar(tx, "SELECT COALESCE(MAX(cursor), 0) + 1 FROM queue WHERE epoch = $e", ("$e", (long)epoch))!;
        NonQuery(tx, "INSERT INTO queue (epoch, cursor, request) VALUES ($e, $c, $r)", ("$e", (long)epoch), ("$c", cursor), ("$r", request));
        tx.Commit();
        return cursor;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<QueueEntry>> ReadQueueAsync(ulong epoch, long afterCursor, int max, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<QueueEntry>>(() => Rows(
            "SELECT cursor, request FROM queue WHERE epoch = $e AND cursor > $a ORDER BY cursor LIMIT $m",
            r => new QueueEntry(r.GetInt64(0), (byte[])r[1]),
            ("$e", (long)epoch),
            ("$a", afterCursor),
            ("$m", Math.Max(0, max))), cancellationToken);

    /// <inheritdoc />
    public Task<long> CountQueueAsync(ulong epoch, CancellationToken cancellationToken = default) =>
        Locked(() => (long)Scalar(null, "SELECT COUNT(*) FROM queue WHERE epoch = $e", ("$e", (long)epoch))!, cancellationToken);

    /// <inheritdoc />
    public Task<MailPutResult> PutMailAsync(byte[] mailboxId, ulong mailEpoch, byte[] ciphertext, long tokenPeriod, byte[] spentKey, CancellationToken cancellationToken = default) => Locked(() =>
    {
        using var tx = _connection.BeginTransaction();
        if (Scalar(tx, "SELECT 1 FROM spent_tokens WHERE period = $p AND spent_key = $k", ("$p", tokenPeriod), ("$k", spentKey)) is not null)
        {
            return MailPutResult.TokenSpent;
        }

        if (Scalar(tx, "SELECT 1 FROM mail WHERE mailbox_id = $i", ("$i", mailboxId)) is not null)
        {
            return MailPutResult.MailboxTaken;
        }

        NonQuery(tx, "INSERT INTO spent_tokens (period, spent_key) VALUES ($p, $k)", ("$p", tokenPeriod), ("$k", spentKey));
        NonQuery(tx, "INSERT INTO mail (mailbox_id, mail_epoch, ciphertext) VALUES ($i, $m, $c)", ("$i", mailboxId), ("$m", (long)mailEpoch), ("$c", ciphertext));
        tx.Commit();
        return MailPutResult.Stored;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> TrySpendTokenAsync(long tokenPeriod, byte[] spentKey, CancellationToken cancellationToken = default) => Locked(() =>
    {
        using var tx = _connection.BeginTransaction();
        var added = NonQuery(tx, "INSERT OR IGNORE INTO spent_tokens (period, spent_key) VALUES ($p, $k)", ("$p", tokenPeriod), ("$k", spentKey)) == 1;
        tx.Commit();
        return added;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<StoredMail>> ReadMailAsync(ulong fromMailEpoch, ulong toMailEpoch, CancellationToken cancellationToken = default) =>
        Locked<IReadOnlyList<StoredMail>>(() => Rows(
            "SELECT mailbox_id, mail_epoch, ciphertext FROM mail WHERE mail_epoch >= $f AND mail_epoch <= $t ORDER BY mail_epoch, mailbox_id",
            r => new StoredMail((byte[])r[0], (ulong)r.GetInt64(1), (byte[])r[2]),
            ("$f", (long)fromMailEpoch),
            ("$t", (long)Math.Min(toMailEpoch, long.MaxValue))), cancellationToken);

    /// <inheritdoc />
    public Task<bool> TryReserveTokensAsync(long tokenPeriod, byte[] userHash, int count, int quota, CancellationToken cancellationToken = default) => Locked(() =>
    {
        if (count <= 0)
        {
            return false;
        }

        using var tx = _connection.BeginTransaction();
        var used = (long?)Scalar(tx, "SELECT used FROM token_quota WHERE period = $p AND user_hash = $u", ("$p", tokenPeriod), ("$u", userHash)) ?? 0;
        if (used + count > quota)
        {
            return false;
        }

        NonQuery(tx, "INSERT INTO token_quota (period, user_hash, used) VALUES ($p, $u, $n) ON CONFLICT (period, user_hash) DO UPDATE SET used = $n", ("$p", tokenPeriod), ("$u", userHash), ("$n", used + count));
        tx.Commit();
        return true;
    }, cancellationToken);

    /// <inheritdoc />
    public Task ReleaseTokensAsync(long tokenPeriod, byte[] userHash, int count, CancellationToken cancellationToken = default) => Locked(() =>
    {
        using var tx = _connection.BeginTransaction();
        NonQuery(tx, "UPDATE token_quota SET used = MAX(0, used - $n) WHERE period = $p AND user_hash = $u", ("$p", tokenPeriod), ("$u", userHash), ("$n", count));
        tx.Commit();
        return true;
    }, cancellationToken);

    /// <inheritdoc />
    public Task PutEvalKeyAsync(ulong period, byte[] keyId, byte database, byte[] keys, CancellationToken cancellationToken = default) => Locked(() =>
    {
        using var tx = _connection.BeginTransaction();
        NonQuery(tx, "INSERT INTO eval_keys (period, key_id, db, keys) VALUES ($p, $i, $d, $k) ON CONFLICT (period, key_id, db) DO UPDATE SET keys = $k", ("$p", (long)period), ("$i", keyId), ("$d", (long)database), ("$k", keys));
        tx.Commit();
        return true;
    }, cancellationToken);

    /// <inheritdoc />
    public Task<byte[]?> GetEvalKeyAsync(ulong period, byte[] keyId, byte database, CancellationToken cancellationToken = default) =>
        Locked(() => Scalar(null, "SELECT keys FROM eval_keys WHERE period = $p AND key_id = $i AND db = $d", ("$p", (long)period), ("$i", keyId), ("$d", (long)database)) as byte[], cancellationToken);

    /// <inheritdoc />
    public Task PruneAsync(PruneHorizon horizon, CancellationToken cancellationToken = default) => Locked(() =>
    {
        using var tx = _connection.BeginTransaction();
        NonQuery(tx, "DELETE FROM queue WHERE epoch < $e", ("$e", Clamp(horizon.QueueEpoch)));
        NonQuery(tx, "DELETE FROM mail WHERE mail_epoch < $m", ("$m", Clamp(horizon.MailEpoch)));
        NonQuery(tx, "DELETE FROM spent_tokens WHERE period < $p", ("$p", horizon.TokenPeriod));
        NonQuery(tx, "DELETE FROM token_quota WHERE period < $p", ("$p", horizon.TokenPeriod));
        NonQuery(tx, "DELETE FROM eval_keys WHERE period < $k", ("$k", Clamp(horizon.EvalKeyPeriod)));
        tx.Commit();
        return true;
    }, cancellationToken);

    /// <inheritdoc />
    public void Dispose()
    {
        _connection.Dispose();
        _gate.Dispose();
    }

    private static long Clamp(ulong value) => (long)Math.Min(value, long.MaxValue);

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private Task<bool> AddHead(string table, string column, ulong epoch, byte[] head, CancellationToken cancellationToken) => Locked(() =>
    {
        using var tx = _connection.BeginTransaction();
        var added = NonQuery(tx, $"INSERT OR IGNORE INTO {table} ({column}, head) VALUES ($e, $h)", ("$e", Clamp(epoch)), ("$h", head)) == 1;
        tx.Commit();
        return added;
    }, cancellationToken);

    private async Task<T> Locked<T>(Func<T> action, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return action();
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteCommand Command(SqliteTransaction? tx, string sql, (string Name, object Value)[] parameters)
    {
        var command = _connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command;
    }

    private object? Scalar(SqliteTransaction? tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(tx, sql, parameters);
        var result = command.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    private int NonQuery(SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(tx, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private List<T> Rows<T>(string sql, Func<SqliteDataReader, T> map, params (string Name, object Value)[] parameters)
    {
        using var command = Command(null, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(reader));
        }

        return rows;
    }
}
