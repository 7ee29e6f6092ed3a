using Privomega.Pir.Engine.Lattice;
using Privomega.Pir.Engine.Tests.Schemes;

namespace Privomega.Pir.Engine.Tests.Lattice;

/// <summary>
/// Lattice PIR as the generic scheme tests see it, on the insecure N = 256 test preset. A lattice
/// server needs each client's Galois keys before it can answer, which the registry's independent
/// factories cannot pass along; so servers and clients made on one test thread find each other here
/// (whichever is made first), as a deployment's one-off key upload would.
/// </summary>
internal static class LatticeSchemeCase
{
    private const int Remembered = 4;

    [ThreadStatic]
    private static List<LatticePirServer>? _servers;

    [ThreadStatic]
    private static List<LatticePirClient>? _clients;

    public static LatticePirParameters Plan(long recordCount, int recordBytes) =>
        LatticePirPlanner.Plan(recordCount, recordBytes, LatticeParameters.N256_Logq108_Logt20_Insecure);

    public static PirSchemeCase Create() => new(
        "Lattice",
        CreateServers,
        CreateClient,
        (bytes, n, r) => LatticeQuery.Decode(bytes, Plan(n, r)),
        (bytes, n, r) => LatticeAnswer.Decode(bytes, Plan(n, r)));

    private static IPirServer[] CreateServers(PirDatabase database)
    {
        var p = Plan(database.RecordCount, database.RecordBytes);
        var server = new LatticePirServer(database, p);
        foreach (var client in _clients ?? [])
        {
            TryRegister(server, client);
        }

        Remember(_servers ??= [], server);
        return [server];
    }

    private static LatticePirClient CreateClient(long recordCount, int recordBytes)
    {
        var client = new LatticePirClient(Plan(recordCount, recordBytes));
        foreach (var server in _servers ?? [])
        {
            TryRegister(server, client);
        }

        Remember(_clients ??= [], client);
        return client;
    }

    private static void TryRegister(LatticePirServer server, LatticePirClient client)
    {
        var s = server.Parameters;
        var c = client.Parameters;
        if (s.RecordCount == c.RecordCount && s.RecordBytes == c.RecordBytes && s.Encryption == c.Encryption)
        {
            server.RegisterClient(client.ClientId, LatticeGaloisKeys.Decode(client.GaloisKeys.Encode(), s));
        }
    }

    private static void Remember<T>(List<T> list, T item)
        where T : IDisposable
    {
        list.Add(item);
        if (list.Count > Remembered)
        {
            list[0].Dispose();
            list.RemoveAt(0);
        }
    }
}
