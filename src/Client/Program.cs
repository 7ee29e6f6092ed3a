using System.CommandLine;
using Privomega.Client.Cli;


var root = new RootCommand("privomega: a private random-stranger chat client (register, match, chat, audit) and the demo.");

var primary = new Option<string>("--primary") { Description = "The primary server's URL.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PRIVOMEGA_PRIMARY") ?? "http://127.0.0.1:5080" };
var replica = new Option<string?>("--replica") { Description = "The replica server's URL (XOR and DPF PIR need it).", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PRIVOMEGA_REPLICA") };
var state = new Option<string>("--state") { Description = "Folder for this user's identity and ledger.", DefaultValueFactory = _ => Environment.GetEnvironmentVariable("PRIVOMEGA_STATE") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".privomega") };
var scheme = new Option<string>("--scheme") { Description = "PIR scheme: xor, dpf or lattice.", DefaultValueFactory = _ => "dpf" };
var reads = new Option<int>("--reads") { Description = "Private mailbox reads per mail epoch.", DefaultValueFactory = _ => 2 };

CliContext Context(ParseResult r)
{
    var readsPerEpoch = r.GetValue(reads);
    if (readsPerEpoch is < 1 or > 4)
    {
        throw new ArgumentException($"--reads {readsPerEpoch}; expected 1 to 4.");
    }

    var replicaUrl = r.GetValue(replica);
    return new CliContext(CliContext.ParseUrl("--primary", r.GetValue(primary)!), replicaUrl is null ? null : CliContext.ParseUrl("--replica", replicaUrl), r.GetValue(state)!, CliContext.ParseScheme(r.GetValue(scheme)!), readsPerEpoch);
}

Command WithCommon(Command command)
{
    foreach (var option in new Option[] { primary, replica, state, scheme, reads })
    {
        command.Options.Add(option);
    }

    return command;
}

static int BadInput(ArgumentException e)
{
    return CliContext.Fail(1, "bad input", e.Message);
}

var register = WithCommon(new Command("register", "Mint the proof of work and register a fresh short-lived identity."));
register.SetAction(async (r, ct) =>
{
    try
    {
        return await ClientCommands.RegisterAsync(Context(r), ct);
    }
    catch (ArgumentException e)
    {
        return BadInput(e);
    }
});
root.Subcommands.Add(register);

var maxEpochs = new Option<int>("--epochs") { Description = "Give up after this many epochs.", DefaultValueFactory = _ => 10 };
var match = WithCommon(new Command("match", "Find a random stranger (VRF over the beacon, private directory read, verified request) and confirm the match."));
match.Options.Add(maxEpochs);
match.SetAction(async (r, ct) =>
{
    try
    {
        return await ClientCommands.MatchAsync(Context(r), r.GetValue(maxEpochs), ct);
    }
    catch (ArgumentException e)
    {
        return BadInput(e);
    }
});
root.Subcommands.Add(match);

var chat = WithCommon(new Command("chat", "Match a random stranger and chat: lines you type go out one per mail epoch; /quit ends the chat."));
chat.SetAction(async (r, ct) =>
{
    try
    {
        return await ClientCommands.ChatAsync(Context(r), ct);
    }
    catch (ArgumentException e)
    {
        return BadInput(e);
    }
});
root.Subcommands.Add(chat);

var audit = new Command("audit", "Re-check everything this client stored: head chains, log consistency, own inclusion, both servers' heads.");
audit.Options.Add(state);
audit.SetAction(r => ClientCommands.Audit(new CliContext(new Uri("http://127.0.0.1"), null, r.GetValue(state)!, Privomega.Pir.Engine.PirSchemeKind.XorDpf, 1)));
root.Subcommands.Add(audit);



root.Subcommands.Add(Privomega.Client.Demo.DemoCommand.Create());

return await root.Parse(args).InvokeAsync();
