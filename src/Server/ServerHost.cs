using System.Diagnostics.Metrics;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using Privomega.Protocol.Api;
using Privomega.Protocol.Tokens;
using Privomega.Server.Domain;
using Privomega.Server.Hosting;
using Privomega.Server.Http;
using Privomega.Server.Pir;
using Privomega.Server.Replication;
using Privomega.Server.Storage;

namespace Privomega.Server;

/// <summary>
/// Composes the server: options (with the <c>development</c> profile), storage, the role's services, problem
/// details, rate limiting, OpenTelemetry metrics at /metrics, the endpoints. Binds loopback unless told otherwise.
/// </summary>
public static class ServerHost
{
    /// <summary>The per-source registration rate-limit policy.</summary>
    public const string RegisterPolicy = "register";

    /// <summary>Builds the server from command-line style arguments (<c>--Privomega:Role=replica</c>, <c>--urls</c>, ...).</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:5080");
        }

        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        var options = new ServerOptions();
        var section = builder.Configuration.GetSection(ServerOptions.Section);
        if (string.Equals(section["Profile"], "development", StringComparison.OrdinalIgnoreCase))
        {
            options.ApplyDevelopmentProfile();
        }

        section.Bind(options);
        Validate(options);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(TimeProvider.System);

        var store = OpenStore(options);
        builder.Services.AddSingleton(store);
        Problems.Add(builder.Services);
        AddRateLimits(builder.Services, options);
        builder.Services.AddOpenTelemetry().WithMetrics(m => m
            .AddMeter(ServerMetrics.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel")
            .AddPrometheusExporter());

        if (options.Role == ServerRole.Primary)
        {
            builder.Services.AddSingleton(sp => PrimaryServices.CreateAsync(store, options, TimeProvider.System, sp.GetRequiredService<IMeterFactory>()).GetAwaiter().GetResult());
            builder.Services.AddHostedService<EpochScheduler>();
        }
        else
        {
            if (string.IsNullOrEmpty(options.PrimaryUrl))
            {
                throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), ["Privomega:PrimaryUrl is required for the replica role."]);
            }

            builder.Services.AddSingleton<ReplicaState>();
            builder.Services.AddSingleton<PirCatalog>();
            builder.Services.AddSingleton<ServerMetrics>();
            builder.Services.AddSingleton(sp => new PirService(sp.GetRequiredService<PirCatalog>(), options, sp.GetRequiredService<ServerMetrics>(), tokens: null));
            builder.Services.AddSingleton(sp => new ReplicaFollower(
                new HttpClient { BaseAddress = new Uri(options.PrimaryUrl), Timeout = TimeSpan.FromSeconds(30) },
                options,
                sp.GetRequiredService<ReplicaState>(),
                store,
                sp.GetRequiredService<PirCatalog>(),
                sp.GetRequiredService<ServerMetrics>(),
                sp.GetRequiredService<ILogger<ReplicaFollower>>()));
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ReplicaFollower>());
        }

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRateLimiter();
        app.MapPrometheusScrapingEndpoint("/metrics").DisableRateLimiting();

        if (options.Role == ServerRole.Primary)
        {
            var services = app.Services.GetRequiredService<PrimaryServices>();
            var info = new ServerInfo(ServerRole.Primary, services.Keys.Signing.PublicKey.Export(), (ulong)options.Epoch.TotalMilliseconds, (ulong)options.MailEpochMilliseconds,
                (uint)options.CertificateEpochs, (byte)options.PowDifficulty, (uint)options.MailCiphertextBytes, TokenKind.Voprf, (ulong)options.TokenPeriodSeconds * 1000,
                (uint)options.MailRetentionEpochs, LocalPirAnswerer.PrimarySchemeMask);
            Endpoints.MapShared(app, () => info, db => Endpoints.PrimaryConfig(services, db), services.Pir);
            Endpoints.MapPrimary(app, services);
        }
        else
        {
            var state = app.Services.GetRequiredService<ReplicaState>();
            var catalog = app.Services.GetRequiredService<PirCatalog>();
            Endpoints.MapShared(
                app,
                () => new ServerInfo(ServerRole.Replica, state.PrimaryKey?.Export() ?? new byte[32], (ulong)options.Epoch.TotalMilliseconds, (ulong)options.MailEpochMilliseconds,
                    (uint)options.CertificateEpochs, (byte)options.PowDifficulty, (uint)options.MailCiphertextBytes, TokenKind.Voprf, (ulong)options.TokenPeriodSeconds * 1000,
                    (uint)options.MailRetentionEpochs, LocalPirAnswerer.SchemeMask),
                db => Endpoints.ReplicaConfig(catalog, state, db),
                app.Services.GetRequiredService<PirService>());
        }

        return app;
    }

    private static IServerStore OpenStore(ServerOptions options) => options.Storage.ToUpperInvariant() switch
    {
        "SQLITE" => SqliteServerStore.Open(Path.Combine(options.DataDirectory, options.Role == ServerRole.Primary ? "primary.db" : "replica.db")),
        "MEMORY" => new InMemoryServerStore(),
        _ => throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), [$"Privomega:Storage is '{options.Storage}'; expected sqlite or memory."]),
    };

    private static void Validate(ServerOptions options)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(options, new System.ComponentModel.DataAnnotations.ValidationContext(options), results, validateAllProperties: true))
        {
            throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), results.Select(r => r.ErrorMessage ?? "invalid option"));
        }

        if (options.MailEpochMilliseconds > options.EpochSeconds * 1000)
        {
            throw new OptionsValidationException(ServerOptions.Section, typeof(ServerOptions), ["Privomega:MailEpochMilliseconds must not exceed the epoch."]);
        }
    }

    private static void AddRateLimits(IServiceCollection services, ServerOptions options)
    {
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                RateLimitPartition.GetFixedWindowLimiter(Source(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RequestsPerSecond,
                    Window = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                }));
            limiter.AddPolicy(RegisterPolicy, context =>
                RateLimitPartition.GetFixedWindowLimiter(Source(context), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.RegisterPerMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            limiter.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "1";
                var details = Problems.ToDetails(new ServerProblemException(429, "rate-limited", "too many requests"));
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>()
                    .WriteAsync(new ProblemDetailsContext { HttpContext = context.HttpContext, ProblemDetails = details }).ConfigureAwait(false);
            };
        });
    }

    // The partition key lives only in the limiter's memory for its window; it is never logged or stored.
    private static string Source(HttpContext context) => (context.Connection.RemoteIpAddress ?? IPAddress.None).ToString();
}
