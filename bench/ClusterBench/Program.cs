using System.CommandLine;
using Privomega.Pir.ClusterBench;

var records = new Option<long>("--records") { Description = "Record count.", DefaultValueFactory = _ => 1L << 18 };
var recordBytes = new Option<int>("--record-bytes") { Description = "Bytes per record.", DefaultValueFactory = _ => 256 };
var silos = new Option<int>("--silos") { Description = "Silos, one shard each.", DefaultValueFactory = _ => 3 };
var reps = new Option<int>("--reps") { Description = "Queries timed per scheme (each on both paths).", DefaultValueFactory = _ => 41 };
var schemes = new Option<string[]>("--scheme") { Description = "xor and/or dpf.", DefaultValueFactory = _ => ["xor", "dpf"], AllowMultipleArgumentsPerToken = true };
var root = new RootCommand("Answer time of an in-process Orleans cluster (one shard per silo) against the single node, same database; one JSON line per scheme.");
foreach (Option option in new Option[] { records, recordBytes, silos, reps, schemes })
{
    root.Options.Add(option);
}

root.SetAction(result => ClusterCommand.Run(result.GetValue(records), result.GetValue(recordBytes), result.GetValue(silos), result.GetValue(reps), result.GetValue(schemes)!));
return root.Parse(args).Invoke();
