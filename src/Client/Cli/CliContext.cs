using Privomega.Client.Audit;
using Privomega.Client.Identity;
using Privomega.Client.Monitoring;
using Privomega.Client.Transport;
using Privomega.Pir.Engine;
using Spectre.Console;

namespace Privomega.Client.Cli;

/// <summary>Where a CLI user's state lives and which servers it talks to.</summary>
/// <param name="Primary">The primary's URL.</param>
/// <param name="Replica">The replica's URL (XOR and DPF PIR need it).</param>
/// <param name="StateDirectory">Folder holding <c>identity.bin</c> (secret keys, owner-only) and <c>ledger.json</c>.</param>
/// <param name="Scheme">The PIR scheme.</param>
/// <param name="Reads">Private mailbox reads per mail epoch.</param>
internal sealed record CliContext(Uri Primary, Uri? Replica, string StateDirectory, PirSchemeKind Scheme, int Reads)
{
    public string IdentityPath => Path.Combine(StateDirectory, "identity.bin");

    public string LedgerPath => Path.Combine(StateDirectory, "ledger.json");

    public string EvidencePath => Path.Combine(StateDirectory, "equivocation-evidence.bin");

    /// <summary>Parses <c>xor|dpf|lattice</c>; throws <see cref="ArgumentException"/> with the accepted values.</summary>
    public static PirSchemeKind ParseScheme(string name) => name.ToLowerInvariant() switch
    {
        "xor" => PirSchemeKind.XorBitVector,
        "dpf" => PirSchemeKind.XorDpf,
        "lattice" => PirSchemeKind.Lattice,
        _ => throw new ArgumentException($"Unknown scheme '{name}'; expected xor, dpf or lattice."),
    };

    /// <summary>Parses an http(s) URL; throws <see cref="ArgumentException"/> naming the option.</summary>
    public static Uri ParseUrl(string option, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new ArgumentException($"{option} '{value}' is not an http(s) URL.");

    /// <summary>The short name of a scheme.</summary>
    public static string SchemeName(PirSchemeKind scheme) => scheme switch
    {
        PirSchemeKind.XorBitVector => "xor",
        PirSchemeKind.XorDpf => "dpf",
        PirSchemeKind.Lattice => "lattice",
        _ => scheme.ToString(),
    };

    /// <summary>Builds a client from the stored identity and ledger (a fresh identity when none is stored).</summary>
    public (PrivomegaClient Client, HttpPrivomegaServer Primary, HttpPrivomegaServer? Replica) Open(bool autoMatch)
    {
        var primary = new HttpPrivomegaServer(Primary);
        var replica = Replica is null ? null : new HttpPrivomegaServer(Replica);
        IdentityFile.TryLoad(IdentityPath, out var identity);
        var ledger = ClientLedger.Load(LedgerPath);
        var options = new ClientOptions { Scheme = Scheme, ReadsPerMailEpoch = Reads, AutoMatch = autoMatch, InitiateProbability = 0.5 };
        return (new PrivomegaClient(primary, replica, options, identity, ledger), primary, replica);
    }

    /// <summary>Saves the identity and the ledger.</summary>
    public void Save(PrivomegaClient client)
    {
        IdentityFile.Save(client.Identity, IdentityPath);
        client.SaveLedger(LedgerPath);
    }

    /// <summary>
    /// Runs a command body and turns expected failures into one readable line and an exit code:
    /// 1 bad input, 2 server down or refusing, 3 the server broke the protocol (equivocation
    /// evidence is saved), 130 interrupted. Never a stack trace for these.
    /// </summary>
    public static async Task<int> GuardAsync(Func<Task<int>> body, string? evidencePath)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (ArgumentException e)
        {
            return Fail(1, "bad input", e.Message);
        }
        catch (ServerUnavailableException e)
        {
            return Fail(2, "server down", e.Message);
        }
        catch (ServerRejectedException e)
        {
            return Fail(2, "server refused the request", e.Message);
        }
        catch (EquivocationDetectedException e)
        {
            if (evidencePath is not null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(evidencePath))!);
                File.WriteAllBytes(evidencePath, e.Evidence.Encode());
            }

            return Fail(3, "equivocation found, stopping", $"{e.Message}{(evidencePath is null ? "" : $" (evidence saved to {evidencePath})")}");
        }
        catch (ProtocolViolationException e)
        {
            return Fail(3, "the server broke the protocol, stopping", e.Message);
        }
        catch (OperationCanceledException)
        {
            return 130;
        }
    }

    /// <summary>Writes one unwrapped error line to standard error and returns <paramref name="code"/>.</summary>
    public static int Fail(int code, string what, string detail)
    {
        Console.Error.WriteLine($"error: {what}: {detail}");
        return code;
    }
}
