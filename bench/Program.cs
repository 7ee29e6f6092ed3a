using System.CommandLine;
using BenchmarkDotNet.Running;
using Privomega.Pir.Bench.Throughput;

var root = new RootCommand("Privomega PIR benchmarks: the throughput sweep and the BenchmarkDotNet suites.");

var scheme = new Option<string[]>("--scheme") { Description = "Scheme(s) to measure: xor, dpf, lattice, ypir (default: xor and dpf).", DefaultValueFactory = _ => ["xor", "dpf"], AllowMultipleArgumentsPerToken = true };
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
