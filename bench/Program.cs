// Commands arrive with the engine (issue 2): throughput, plan, and the BenchmarkDotNet suites.
System.Console.Error.WriteLine("usage: Privomega.Pir.Bench throughput|plan|bdn ...");
return 2;
