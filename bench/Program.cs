using System.CommandLine;
using BenchmarkDotNet.Running;
using Privomega.Pir.Bench.Planning;
using Privomega.Pir.Bench.Sda;
using Privomega.Pir.Bench.Throughput;

var root = new RootCommand("Privomega PIR benchmarks: the throughput sweep and the BenchmarkDotNet suites.");

var scheme = new Option<string[]>("--scheme") { Description = "Scheme(s) to measure: xor, dpf, lattice, ypir (default: xor and dpf).", DefaultValueFactory = _ => ["xor", "dpf"], AllowMultipleArgumentsPerToken = true };
var records = new Option<long[]>("--records") { Description = "Record count(s); default: sizes from 256 KiB to 1 GiB.", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
var recordBytes = new Option<int>("--record-bytes") { Description = "Bytes per record.", DefaultValueFactory = _ => 256 };
var threads = new Option<int[]>("--threads") { Description = "Thread count(s).", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
var batch = new Option<int[]>("--batch") { Description = "Queries answered per pass.", DefaultValueFactory = _ => [1, 4, 16, 64, 128], AllowMultipleArgumentsPerToken = true };
var json = new Option<bool>("--json") { Description = "One JSON object per line per configuration instead of the table." };
var throughputPlot = new Option<string?>("--plot") { Description = "Write a PNG of database GB/s and queries/s against database size per scheme and batch, with the read bandwidth." };

var throughput = new Command("throughput", "Database bytes scanned and queries answered per second, against this machine's read bandwidth.");
foreach (Option option in new Option[] { scheme, records, recordBytes, threads, batch, json, throughputPlot })
{
    throughput.Options.Add(option);
}

throughput.SetAction(result => ThroughputCommand.Run(new ThroughputOptions(
    result.GetValue(scheme)!,
    result.GetValue(records)!,
    result.GetValue(recordBytes),
    result.GetValue(threads)!,
    result.GetValue(batch)!,
    result.GetValue(json),
    result.GetValue(throughputPlot))));
root.Subcommands.Add(throughput);

var sdaUsers = new Option<int>("--users") { Description = "Population size U.", DefaultValueFactory = _ => 10_000 };
var sdaEpochs = new Option<int>("--epochs") { Description = "Mail epochs of traffic per run.", DefaultValueFactory = _ => 300 };
var sdaQuickReply = new Option<double[]>("--quick-reply") { Description = "Share(s) of messages answered within one mail epoch.", DefaultValueFactory = _ => [0.3, 0.7, 1.0], AllowMultipleArgumentsPerToken = true };
var sdaSeeds = new Option<int>("--seeds") { Description = "Traffic windows (seeds) per quick-reply rate.", DefaultValueFactory = _ => 3 };
var sdaTargets = new Option<int>("--targets") { Description = "Attacked users per seed (one per conversation).", DefaultValueFactory = _ => 100 };
var sdaFraction = new Option<double>("--conversation-fraction") { Description = "Share of users in a conversation.", DefaultValueFactory = _ => 0.5 };
var sdaMaxPause = new Option<int>("--max-pause") { Description = "Longest pause between a conversation's bursts, in mail epochs (uniform from 2).", DefaultValueFactory = _ => 40 };
var sdaMaxTargetEpochs = new Option<int>("--max-target-epochs") { Description = "Target epochs the attacker uses at most per target.", DefaultValueFactory = _ => 200 };
var sdaViews = new Option<string[]>("--view") { Description = "View(s): " + string.Join(", ", SdaCommand.AllViews.Select(v => v.Name)) + " (default: all).", DefaultValueFactory = _ => [.. SdaCommand.AllViews.Select(v => v.Name)], AllowMultipleArgumentsPerToken = true };
var sdaJson = new Option<bool>("--json") { Description = "One JSON object per line per view and quick-reply rate instead of the table." };
var sdaPlot = new Option<string?>("--plot") { Description = "Draw the partner's median rank against target epochs per view into this PNG." };
var sda = new Command("sda", "The statistical disclosure attack against what each kind of server records: the partner's rank, next to chance.");
foreach (Option option in new Option[] { sdaUsers, sdaEpochs, sdaQuickReply, sdaSeeds, sdaTargets, sdaFraction, sdaMaxPause, sdaMaxTargetEpochs, sdaViews, sdaJson, sdaPlot })
{
    sda.Options.Add(option);
}

sda.SetAction(result => SdaCommand.Run(new SdaOptions(
    result.GetValue(sdaUsers),
    result.GetValue(sdaEpochs),
    result.GetValue(sdaQuickReply)!,
    result.GetValue(sdaSeeds),
    result.GetValue(sdaTargets),
    result.GetValue(sdaFraction),
    result.GetValue(sdaMaxPause),
    result.GetValue(sdaMaxTargetEpochs),
    result.GetValue(sdaViews)!,
    result.GetValue(sdaJson),
    result.GetValue(sdaPlot))));
root.Subcommands.Add(sda);

var users = new Option<long>("--users") { Description = "Online users.", Required = true };
var mailEpoch = new Option<double>("--mail-epoch") { Description = "Mail epoch in seconds (every user writes once and reads K times per mail epoch).", Required = true };
var messageBytes = new Option<int>("--message-bytes") { Description = "Padded plaintext bytes of a mail message (DESIGN 'Session': 160); the ciphertext adds 41.", DefaultValueFactory = _ => 160 };
var retention = new Option<double>("--retention") { Description = "Seconds a message stays readable.", Required = true };
var readsPerEpoch = new Option<int>("--reads-per-epoch") { Description = "Mailbox reads per user per mail epoch (K).", DefaultValueFactory = _ => 1 };
var epoch = new Option<double>("--epoch") { Description = "Epoch in seconds (one directory read per user; lattice key period).", DefaultValueFactory = _ => 60 };
var planScheme = new Option<string>("--scheme") { Description = "xor, dpf, lattice or all.", DefaultValueFactory = _ => "all" };
var planThreads = new Option<int>("--threads") { Description = "Cores per server machine (for machinesNeeded).", DefaultValueFactory = _ => Environment.ProcessorCount };
var planJson = new Option<bool>("--json") { Description = "One JSON object per scheme and database." };
var planPlot = new Option<string?>("--plot") { Description = "Write a PNG of cores needed and client bytes per epoch against users." };
var plan = new Command("plan", "Sizes the directory and mailbox databases and predicts per-scheme bytes, server time, memory and cores from a short calibration.");
foreach (Option option in new Option[] { users, mailEpoch, messageBytes, retention, readsPerEpoch, epoch, planScheme, planThreads, planJson, planPlot })
{
    plan.Options.Add(option);
}

plan.SetAction(result => PlanCommand.Run(new PlanOptions(
    result.GetValue(users),
    result.GetValue(mailEpoch),
    result.GetValue(messageBytes),
    result.GetValue(retention),
    result.GetValue(readsPerEpoch),
    result.GetValue(epoch),
    result.GetValue(planScheme)!,
    result.GetValue(planThreads),
    result.GetValue(planJson),
    result.GetValue(planPlot))));
root.Subcommands.Add(plan);

var bdn = new Command("bdn", "Runs the BenchmarkDotNet suites; remaining arguments go to BenchmarkSwitcher (e.g. --filter '*Kernel*').")
{
    TreatUnmatchedTokensAsErrors = false,
};
bdn.SetAction(result =>
{
    BenchmarkSwitcher.FromAssembly(typeof(ThroughputCommand).Assembly).Run([.. result.UnmatchedTokens]);
    return 0;
});
root.Subcommands.Add(bdn);

return root.Parse(args).Invoke();
