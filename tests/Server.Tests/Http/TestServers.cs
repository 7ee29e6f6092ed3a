using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Privomega.Server.Domain;
using Privomega.Server.Replication;
using Privomega.Server.Storage;

namespace Privomega.Server.Tests.Http;

/// <summary>Collects every log line a server writes (the leakage test reads them).</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{category} {logLevel} {formatter(state, exception)} {exception}");
    }
}

/// <summary>One running server on 127.0.0.1, port picked by the OS.</summary>
public sealed class RunningServer : IAsyncDisposable
{
    private RunningServer(WebApplication app, Uri address, CapturedLogs logs)
    {
        App = app;
        Address = address;
        Logs = logs;
        Http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public WebApplication App { get; }

    public Uri Address { get; }

    public CapturedLogs Logs { get; }

    public HttpClient Http { get; }

    public IServerStore Store => App.Services.GetRequiredService<IServerStore>();

    public static async Task<RunningServer> StartAsync(params string[] settings)
    {
        var logs = new CapturedLogs();
        string[] args = ["--urls", "http://127.0.0.1:0", "--Privomega:Profile=development", .. settings];
        var app = ServerHost.Build(args, b => b.Logging.AddProvider(logs));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RunningServer(app, new Uri(address), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>A primary (SQLite in a temporary folder) and a replica following it, shared by the HTTP tests.</summary>
public sealed class TestServers : IAsyncLifetime
{
    public const int EpochSeconds = 2;
    public const int MailEpochMilliseconds = 250;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("privomega-server-").FullName;

    public RunningServer Primary { get; private set; } = null!;

    public RunningServer Replica { get; private set; } = null!;

    public PrimaryServices Services => Primary.App.Services.GetRequiredService<PrimaryServices>();

    public ReplicaState ReplicaState => Replica.App.Services.GetRequiredService<ReplicaState>();

    public static string[] Timing => [$"--Privomega:EpochSeconds={EpochSeconds}", $"--Privomega:MailEpochMilliseconds={MailEpochMilliseconds}", "--Privomega:MailboxBuckets=64"];

    public async Task InitializeAsync()
    {
        Primary = await RunningServer.StartAsync([.. Timing, "--Privomega:Storage=sqlite", $"--Privomega:DataDirectory={DataDirectory}"]);
        Replica = await RunningServer.StartAsync([.. Timing, "--Privomega:Role=Replica", "--Privomega:Storage=memory", $"--Privomega:PrimaryUrl={Primary.Address}"]);
    }

    public async Task DisposeAsync()
    {
        await Replica.DisposeAsync();
        await Primary.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ServersGroup : ICollectionFixture<TestServers>
{
    public const string Name = "servers";
}
