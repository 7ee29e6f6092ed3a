using System.Diagnostics;
using System.Globalization;
using Orleans.TestingHost;
using Privomega.Pir.Cluster;
using Privomega.Pir.Engine;
using Spectre.Console;

namespace Privomega.Pir.ClusterBench;

/// <summary>Silos of the benchmark cluster host shard grains.</summary>
public sealed class BenchSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPirShards();
}

/// <summary>
/// The sharded cluster's answer time against the single-node engine at the same database size, on this machine:
/// an in-process Orleans cluster (TestingHost, silos on loopback) with one shard per silo, one query at a time,
/// each shard and the single node scanning with one thread. Medians; cpuShare is the process's CPU time over
/// wall time (above 1 means several cores were busy; below 1, other processes took CPU or the time was waiting).
/// </summary>
internal static class ClusterCommand
{
    public static int Run(long records, int recordBytes, int silos, int reps, string[] schemes)
    {
        if (records < PirSharding.RowAlignment * silos || recordBytes < 1 || silos is < 1 or > 16 || reps < 3)
        {
            Console.Error.WriteLine($"error: need records >= {PirSharding.RowAlignment} x silos, record bytes >= 1, 1..16 silos and reps >= 3.");
            return 2;
        }

        string path = Path.Combine(Path.GetTempPath(), $"privomega-cluster-bench-{Environment.ProcessId}.db");
        var results = new List<string>();
        try
        {
            using var db = PirDatabase.Generate(records, recordBytes, 1);
            using (var file = File.Create(path))
            {
                for (long i = 0; i < records; i++)
                {
                    file.Write(db.GetRecord(i));
                }
            }

            var builder = new TestClusterBuilder((short)silos);
            builder.AddSiloBuilderConfigurator<BenchSiloConfigurator>();
            var cluster = builder.Build();
            AnsiConsole.Status().Start($"starting {silos} silos", _ => cluster.DeployAsync().GetAwaiter().GetResult());
            try
            {
                foreach (string name in schemes)
                {
                    var scheme = name switch
                    {
                        "xor" => PirSchemeKind.XorBitVector,
                        "dpf" => PirSchemeKind.XorDpf,
                        _ => throw new ArgumentException($"scheme '{name}' is not xor or dpf (the lattice scheme is byte-checked by the tests, not timed here)."),
                    };
                    IPirClient client = scheme == PirSchemeKind.XorBitVector ? new XorPirClient(records, recordBytes) : new DpfPirClient(records, recordBytes);
                    IPirServer single = scheme == PirSchemeKind.XorBitVector ? new XorPirServer(db) : new DpfPirServer(db);
                    var spec = PirClusterFrontEnd.Describe($"bench-{name}-{Guid.NewGuid():N}", scheme, path, records, recordBytes, silos);
                    var frontEnd = new PirClusterFrontEnd(cluster.Client, spec);
                    var random = new Random(3);
                    var queries = Enumerable.Range(0, reps).Select(_ => client.Query(random.NextInt64(records))[0]).ToArray();
                    frontEnd.AnswerAsync(queries[0]).GetAwaiter().GetResult(); // loads the slices
                    single.Answer(queries[0]);

                    var singleTimes = new double[reps];
                    var clusterTimes = new double[reps];
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    var wall = Stopwatch.GetTimestamp();
                    AnsiConsole.Progress().Start(ctx =>
                    {
                        var task = ctx.AddTask($"{name}: single node and cluster, alternating", maxValue: reps);
                        for (int r = 0; r < reps; r++)
                        {
                            long t0 = Stopwatch.GetTimestamp();
                            var expected = single.Answer(queries[r]);
                            singleTimes[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                            t0 = Stopwatch.GetTimestamp();
                            var answer = frontEnd.AnswerAsync(queries[r]).GetAwaiter().GetResult();
                            clusterTimes[r] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                            if (!answer.Encode().AsSpan().SequenceEqual(expected.Encode()))
                            {
                                throw new InvalidOperationException("the cluster's answer differs from the single node's");
                            }

                            task.Increment(1);
                        }
                    });
                    double cpuShare = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds / Stopwatch.GetElapsedTime(wall).TotalSeconds;
                    double s = Median(singleTimes);
                    double c = Median(clusterTimes);
                    results.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{{\"scheme\":\"{name}\",\"records\":{records},\"recordBytes\":{recordBytes},\"silos\":{silos},\"reps\":{reps},\"singleMs\":{s:F3},\"clusterMs\":{c:F3},\"clusterOverSingle\":{c / s:F2},\"shareBytesPerShard\":{frontEnd.ShareBytes + 3},\"cpuShare\":{cpuShare:F2}}}"));
                }
            }
            finally
            {
                cluster.StopAllSilosAsync().GetAwaiter().GetResult();
                cluster.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }
        catch (ArgumentException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 2;
        }
        finally
        {
            File.Delete(path);
        }

        foreach (var line in results)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
