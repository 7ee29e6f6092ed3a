using Privomega.Pir.Engine;
using System.Globalization;
using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Server.Domain;
using Privomega.Server.Pir;
using Privomega.Server.Replication;
using Privomega.Server.Storage;

namespace Privomega.Server.Http;

/// <summary>A binary body with a status (the API's bodies are all <c>application/octet-stream</c>).</summary>
public sealed class OctetResult(byte[] body, int status = StatusCodes.Status200OK) : IResult
{
    /// <inheritdoc />
    public Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = "application/octet-stream";
        httpContext.Response.ContentLength = body.Length;
        return httpContext.Response.Body.WriteAsync(body, httpContext.RequestAborted).AsTask();
    }
}

/// <summary>The routes of docs/http-api.md, per role. Handlers only read bodies and call services.</summary>
public static class Endpoints
{
    /// <summary>Body limits per route (docs/http-api.md).</summary>
    public const int RegisterLimit = 256;

    /// <summary>Body limit of the inclusion request.</summary>
    public const int InclusionLimit = 256;

    /// <summary>Body limit of a queue post.</summary>
    public const int QueueLimit = 2048;

    /// <summary>Body limit of a token issuance request.</summary>
    public const int TokenIssueLimit = 128 * 1024;

    /// <summary>Routes both roles serve: heads, mail heads, PIR.</summary>
    public static void MapShared(IEndpointRouteBuilder app, Func<ServerInfo> info, Func<PirDatabaseKind, PirConfig?> config, PirService pir)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/healthz", () => TypedResults.Text("ok")).DisableRateLimiting();
        var v1 = app.MapGroup("/v1");
        v1.MapGet("/info", () => new OctetResult(info().Encode()));

        var heads = v1.MapGroup("/heads");
        heads.MapGet("/latest", async (IServerStore store, CancellationToken ct) =>
            new OctetResult(await store.GetLatestEpochHeadAsync(ct) ?? throw ServerProblemException.Unavailable("no head published yet")));
        heads.MapGet("/{t}", async (string t, IServerStore store, CancellationToken ct) =>
            new OctetResult(await store.GetEpochHeadAsync(ParseU64(t, "t"), ct) ?? throw ServerProblemException.NotFound("no head for that epoch")));

        var mailHeads = v1.MapGroup("/mail-heads");
        mailHeads.MapGet("/latest", async (IServerStore store, CancellationToken ct) =>
            new OctetResult(await store.GetLatestMailHeadAsync(ct) ?? throw ServerProblemException.Unavailable("no mail head published yet")));
        mailHeads.MapGet("/{m}", async (string m, IServerStore store, CancellationToken ct) =>
            new OctetResult(await store.GetMailHeadAsync(ParseU64(m, "m"), ct) ?? throw ServerProblemException.NotFound("no mail head for that mail epoch")));

        var pirGroup = v1.MapGroup("/pir");
        pirGroup.MapGet("/{db}/config", (string db) =>
            new OctetResult((config(Database(db)) ?? throw ServerProblemException.Unavailable("no snapshot yet")).Encode()));
        pirGroup.MapPost("/{db}/{snapshot}/{scheme}", async (string db, string snapshot, string scheme, HttpRequest request, CancellationToken ct) =>
        {
            var database = Database(db);
            var kind = PirService.ParseScheme(scheme) ?? throw ServerProblemException.NotFound("unknown scheme");
            var id = ParseU64(snapshot, "snapshot");
            var body = await Body.ReadAsync(request, pir.MaxBodyBytes(database, id, kind));
            return new OctetResult(await pir.AnswerAsync(database, id, kind, body, ct));
        });
    }

    /// <summary>The primary's own routes: writes, proofs, tokens, replication.</summary>
    public static void MapPrimary(IEndpointRouteBuilder app, PrimaryServices services)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(services);
        var v1 = app.MapGroup("/v1");
        v1.MapPost("/register", async (HttpRequest request, CancellationToken ct) =>
            new OctetResult((await services.Directory.RegisterAsync(await Body.ReadAsync(request, RegisterLimit), ct)).Encode(), StatusCodes.Status201Created))
            .RequireRateLimiting(ServerHost.RegisterPolicy);

        v1.MapGet("/heads/consistency", async (string? from, string? to, CancellationToken ct) =>
            new OctetResult((await services.Directory.ConsistencyAsync(ParseU64(from, "from"), ParseU64(to, "to"), ct)).Encode()));
        v1.MapPost("/directory/inclusion", async (HttpRequest request, CancellationToken ct) =>
            new OctetResult((await services.Directory.InclusionAsync(await Body.ReadAsync(request, InclusionLimit), ct)).Encode()));

        v1.MapPut("/eval-keys", async (HttpRequest request, CancellationToken ct) =>
            new OctetResult((await services.EvalKeys.UploadAsync(await Body.ReadAsync(request, services.Options.EvalKeyBytes), ct)).Encode(), StatusCodes.Status201Created));

        v1.MapPost("/queue/{t}", async (string t, HttpRequest request, CancellationToken ct) =>
            new OctetResult(ApiNumber.Encode((ulong)await services.Queue.PostAsync(ParseU64(t, "t"), await Body.ReadAsync(request, QueueLimit), ct)), StatusCodes.Status202Accepted));
        v1.MapGet("/queue/{t}", async (string t, string? after, string? max, CancellationToken ct) =>
            new OctetResult(await services.Queue.PollAsync(ParseU64(t, "t"), (long)Math.Min(ParseU64(after ?? "0", "after"), long.MaxValue), (int)Math.Min(ParseU64(max ?? "256", "max"), int.MaxValue), ct)));

        v1.MapPost("/mail", async (HttpRequest request, CancellationToken ct) =>
            new OctetResult(ApiNumber.Encode(await services.Mailbox.PutAsync(await Body.ReadAsync(request, services.Options.MailCiphertextBytes + 512), ct)), StatusCodes.Status202Accepted));

        v1.MapGet("/tokens/keys", () => new OctetResult(TokenKeyList.Encode(services.Tokens.PublishedKeys())));
        v1.MapPost("/tokens/issue", async (HttpRequest request, CancellationToken ct) =>
        {
            var answer = await services.Tokens.IssueAsync(await Body.ReadAsync(request, TokenIssueLimit), ct);
            services.Metrics.TokensIssued.Add(1);
            return new OctetResult(answer);
        });

        var replication = v1.MapGroup("/replication");
        replication.MapGet("/heads", async (string? after, CancellationToken ct) =>
        {
            var from = after is null ? 0 : ParseU64(after, "after") + 1;
            var heads = await services.Store.ReadEpochHeadsAsync(from, 256, ct);
            return new OctetResult(FixedList.Encode(0, EpochHead.Size, heads.Select(h => (ReadOnlyMemory<byte>)h).ToList()));
        });
        replication.MapGet("/mail-heads", async (string? after, CancellationToken ct) =>
        {
            var from = after is null ? 0 : ParseU64(after, "after") + 1;
            var heads = await services.Store.ReadMailHeadsAsync(from, 256, ct);
            return new OctetResult(FixedList.Encode(0, MailHead.Size, heads.Select(h => (ReadOnlyMemory<byte>)h).ToList()));
        });
        replication.MapGet("/directory/{t}", async (string t, CancellationToken ct) =>
        {
            var epoch = ParseU64(t, "t");
            var certificates = await services.Directory.DirectoryCertificatesAsync(epoch, ct);
            return new OctetResult(FixedList.Encode(epoch, Certificate.Size, certificates.Select(c => (ReadOnlyMemory<byte>)c.Encode()).ToList()));
        });
        replication.MapGet("/mailbox/{m}", async (string m, string? @base, CancellationToken ct) =>
            new OctetResult((await services.Mailbox.DeltaAsync(ParseU64(m, "m"), @base is null ? null : ParseU64(@base, "base"), ct)).Encode()));
    }

    /// <summary>The primary's config of <paramref name="database"/>'s newest snapshot.</summary>
    public static PirConfig? PrimaryConfig(PrimaryServices services, PirDatabaseKind database)
    {
        ArgumentNullException.ThrowIfNull(services);
        using var lease = services.Catalog.Latest(database);
        if (lease is null)
        {
            return null;
        }

        return database == PirDatabaseKind.Mailbox
            ? services.Mailbox.Config(lease)
            : DirectoryConfig(lease);
    }

    /// <summary>The replica's config of <paramref name="database"/>'s newest verified snapshot.</summary>
    public static PirConfig? ReplicaConfig(PirCatalog catalog, ReplicaState state, PirDatabaseKind database)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(state);
        using var lease = catalog.Latest(database);
        if (lease is null)
        {
            return null;
        }

        var answerer = lease.Answerer;
        return database == PirDatabaseKind.Mailbox
            ? new PirConfig(database, answerer.SnapshotId, answerer.RecordCount, answerer.RecordBytes, LocalPirAnswerer.SchemeMask, 0, state.MailboxLayout.Slots, state.MailboxLayout.Hashes, state.LatestMailHead?.LayoutKey.ToArray() ?? new byte[MailHead.LayoutKeySize])
            : DirectoryConfig(lease);
    }

    private static PirConfig DirectoryConfig(PirCatalog.Lease lease) =>
        new(PirDatabaseKind.Directory, lease.Answerer.SnapshotId, lease.Answerer.RecordCount, lease.Answerer.RecordBytes, Schemes(lease.Answerer), LatticeDimensions(lease.Answerer), 0, 0, new byte[MailHead.LayoutKeySize]);

    /// <summary>The config scheme bitmask of <paramref name="answerer"/>.</summary>
    public static byte Schemes(IPirAnswerer answerer) => answerer.Serves(PirSchemeKind.Lattice) ? LocalPirAnswerer.PrimarySchemeMask : LocalPirAnswerer.SchemeMask;

    /// <summary>The config lattice dimensions of <paramref name="answerer"/> (0 without lattice).</summary>
    public static byte LatticeDimensions(IPirAnswerer answerer) => (byte)((answerer as LocalPirAnswerer)?.LatticeParameters?.Dimensions ?? 0);

    private static PirDatabaseKind Database(string db) => PirService.ParseDatabase(db) ?? throw ServerProblemException.NotFound("unknown database");

    private static ulong ParseU64(string? value, string field) =>
        ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed)
            ? parsed
            : throw new ServerProblemException(400, "bad-value", "not a decimal number", field);
}
