using System.Diagnostics;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;
using Privomega.Protocol.Api;
using Privomega.Server.Domain;

namespace Privomega.Server.Pir;

/// <summary>
/// The PIR endpoints' logic for both roles: decode a batch against the named snapshot, spend the batch's token
/// where the role requires one, answer through the snapshot's <see cref="IPirAnswerer"/>. Nothing about a query
/// is logged or measured except its scheme, database and the time the batch took.
/// </summary>
public sealed class PirService(PirCatalog catalog, ServerOptions options, ServerMetrics metrics, TokenService? tokens, EvalKeyCache? evalKeys = null)
{
    /// <summary>The scheme path segment's engine scheme.</summary>
    public static PirSchemeKind? ParseScheme(string scheme) => scheme switch
    {
        "xor" => PirSchemeKind.XorBitVector,
        "dpf" => PirSchemeKind.XorDpf,
        "lattice" => PirSchemeKind.Lattice,
        _ => null,
    };

    /// <summary>The database path segment.</summary>
    public static PirDatabaseKind? ParseDatabase(string database) => database switch
    {
        "directory" => PirDatabaseKind.Directory,
        "mailbox" => PirDatabaseKind.Mailbox,
        _ => null,
    };

    /// <summary>Largest request body for a batch against a snapshot of <paramref name="recordCount"/> records.</summary>
    public long MaxBodyBytes(long recordCount) =>
        (options.PirBatch * (4L + Math.Max(XorQuery.EncodedLengthFor(recordCount), DpfQuery.EncodedLengthFor(recordCount)))) + 1024;

    /// <summary>Largest request body for a batch of <paramref name="scheme"/> against snapshot <paramref name="snapshotId"/> (or the newest).</summary>
    public long MaxBodyBytes(PirDatabaseKind database, ulong snapshotId, PirSchemeKind scheme)
    {
        using var lease = catalog.Find(database, snapshotId) ?? catalog.Latest(database);
        return MaxBodyBytes(lease?.Answerer, scheme);
    }

    /// <summary>Largest request body for a batch of <paramref name="scheme"/> against <paramref name="answerer"/>'s snapshot.</summary>
    public long MaxBodyBytes(IPirAnswerer? answerer, PirSchemeKind scheme) =>
        scheme == PirSchemeKind.Lattice && answerer is LocalPirAnswerer { LatticeParameters: { } lattice }
            ? (options.PirBatch * (4L + lattice.QueryBytes)) + 1024
            : MaxBodyBytes(answerer?.RecordCount ?? 1);

    /// <summary>Answers one batch request against snapshot <paramref name="snapshotId"/>.</summary>
    public async Task<byte[]> AnswerAsync(PirDatabaseKind database, ulong snapshotId, PirSchemeKind scheme, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        using var lease = catalog.Find(database, snapshotId) ?? throw new ServerProblemException(410, "unknown-snapshot", "snapshot not served", "snapshot", (long)Math.Min(snapshotId, long.MaxValue), (long)Math.Min(catalog.Latest(database) is { } l ? Release(l) : 0, long.MaxValue));
        var answerer = lease.Answerer;
        if (!answerer.Serves(scheme))
        {
            throw new ServerProblemException(404, "not-found", "scheme not served here", "scheme", (byte)scheme, (byte)PirSchemeKind.XorDpf);
        }

        if (!PirBatchRequest.TryDecode(body.Span, options.PirBatch, out var request, out var error))
        {
            throw ServerProblemException.Decode(error);
        }

        if (request.Scheme != scheme)
        {
            throw new ServerProblemException(400, "wrong-scheme", "batch scheme differs from the path", "scheme", (byte)request.Scheme, (byte)scheme);
        }

        if (request.Queries.Count == 0)
        {
            throw new ServerProblemException(400, "bad-value", "empty batch", "count", 0, 1);
        }

        var lattice = (answerer as LocalPirAnswerer)?.LatticeParameters;
        if (scheme == PirSchemeKind.Lattice && (lattice is null || evalKeys is null))
        {
            throw new ServerProblemException(404, "not-found", "scheme not served here", "scheme", (byte)scheme, (byte)PirSchemeKind.XorDpf);
        }

        var queries = new PirQuery[request.Queries.Count];
        try
        {
            for (var i = 0; i < queries.Length; i++)
            {
                queries[i] = Decode(scheme, request.Queries[i].Span, answerer.RecordCount, lattice);
            }

            // Lattice: the batch's key id names Galois keys uploaded this period (after the batch parsed).
            var evaluationKey = scheme == PirSchemeKind.Lattice
                ? await evalKeys!.FindAsync(database, request.KeyId.ToArray(), lattice!, cancellationToken).ConfigureAwait(false)
                : null;

            // Mailbox reads at the primary spend a token, after the batch parsed (a malformed batch spends nothing).
            if (database == PirDatabaseKind.Mailbox && tokens is not null)
            {
                await tokens.SpendAsync(request.Token, cancellationToken).ConfigureAwait(false);
            }

            var started = Stopwatch.GetTimestamp();
            var answers = await answerer.AnswerAsync(scheme, queries, evaluationKey, cancellationToken).ConfigureAwait(false);
            metrics.PirAnswered(database == PirDatabaseKind.Directory ? "directory" : "mailbox", scheme.ToString(), Stopwatch.GetElapsedTime(started));
            return new PirBatchResponse(scheme, snapshotId, answers.Select(a => (ReadOnlyMemory<byte>)a.Encode()).ToList()).Encode();
        }
        finally
        {
            foreach (var query in queries)
            {
                (query as IDisposable)?.Dispose();
            }
        }
    }

    private static ulong Release(PirCatalog.Lease lease)
    {
        using (lease)
        {
            return lease.Answerer.SnapshotId;
        }
    }

    private static PirQuery Decode(PirSchemeKind scheme, ReadOnlySpan<byte> bytes, long recordCount, LatticePirParameters? lattice)
    {
        if (scheme == PirSchemeKind.Lattice && lattice is not null)
        {
            return LatticeQuery.TryDecode(bytes, lattice, out var query, out var error) ? query : throw ServerProblemException.Decode(error);
        }

        if (scheme == PirSchemeKind.XorBitVector)
        {
            return XorQuery.TryDecode(bytes, recordCount, out var xor, out var error) ? xor : throw ServerProblemException.Decode(error);
        }

        if (scheme == PirSchemeKind.XorDpf)
        {
            return DpfQuery.TryDecode(bytes, recordCount, out var dpf, out var error) ? dpf : throw ServerProblemException.Decode(error);
        }

        throw new ServerProblemException(404, "not-found", "scheme not served here", "scheme", (byte)scheme, (byte)PirSchemeKind.XorDpf);
    }
}
