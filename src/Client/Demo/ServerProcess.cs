using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Privomega.Client.Demo;

/// <summary>A Privomega server started as a child process on 127.0.0.1 with an OS-picked port.</summary>
internal sealed partial class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>CPU time the server used so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.HasExited ? TimeSpan.Zero : _process.TotalProcessorTime;
        }
    }

    /// <summary>The server's DLL: beside this build (src/Server/bin/…), or PRIVOMEGA_SERVER_DLL.</summary>
    public static string LocateServer()
    {
        if (Environment.GetEnvironmentVariable("PRIVOMEGA_SERVER_DLL") is { Length: > 0 } configured)
        {
            return configured;
        }

        // src/Client/bin/<Configuration>/<tfm>/ → src/Server/bin/<Configuration>/<tfm>/Privomega.Server.dll
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = here.Name;
        var configuration = here.Parent!.Name;
        var candidate = Path.GetFullPath(Path.Combine(here.FullName, "..", "..", "..", "..", "Server", "bin", configuration, tfm, "Privomega.Server.dll"));
        return File.Exists(candidate)
            ? candidate
            : throw new FileNotFoundException($"The server is not built at {candidate}; build src/Client (it builds src/Server) or set PRIVOMEGA_SERVER_DLL.");
    }

    public static async Task<ServerProcess> StartAsync(string serverDll, IEnumerable<string> settings, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { serverDll, "--urls", "http://127.0.0.1:0", "--Privomega:Profile=development", "--Privomega:Storage=memory" }.Concat(settings))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var address = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Listening().Match(line) is { Success: true } match)
            {
                address.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            return new ServerProcess(process, await address.Task.WaitAsync(timeout.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException("The server did not report its address within 60 s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().ConfigureAwait(false);
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://127\.0\.0\.1:\d+)")]
    private static partial Regex Listening();
}
