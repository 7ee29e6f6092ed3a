using System.CommandLine;
using BenchmarkDotNet.Running;
using Privomega.Pir.Bench.Sda;
using Privomega.Pir.Bench.Throughput;

var root = new RootCommand("Privomega PIR benchmarks: the throughput sweep and the BenchmarkDotNet suites.");

var scheme = new Option<string[]>("--scheme") { Description = "Scheme(s) to measure: xor, dpf, lattice (default: xor and dpf).", DefaultValueFactory = _ => ["xor", "dpf"], AllowMultipleArgumentsPerToken = true };
var records = new Option<long[]>("--records") { Description = "Record count(s); default: sizes from 256 KiB to 1 GiB.", DefaultValueFactory = _ => [], AllowMultipleArgumentsPerToken = true };
var recordBytes = new Option<int>("--record-bytes") { Description = "Bytes per record.", DefaultValueFactory = _ => 256 };
var threads = new Option<int[]>("--threads") { Description = "Thread count(s).", DefaultValueFactory = _ => [1, 2], AllowMultipleArgumentsPerToken = true };
var batch = new Option<int[]>("--batch") { Description = "Queries answered per pass.", DefaultValueFactory = _ => [1, 4, 16, 64, 128], AllowMultipleArgumentsPerToken = true };
var json = new Option<bool>("--json") { Description = "One JSON object per line per configuration instead of the table." };

var throughput = new Command("throughput", "Database bytes scanned and queries answered per second, against this machine's read bandwidth.");
foreach (Option option in new Option[] { scheme, records, recordBytes, threads, batch, json })
{
    throughput.Options.Add(option);
}

throughput.SetAction(result => ThroughputCommand.Run(new ThroughputOptions(
    result.GetValue(scheme)!,
    result.GetValue(records)!,
    result.GetValue(recordBytes),
    result.GetValue(threads)!,
    result.GetValue(batch)!,
    result.GetValue(json))));
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
