using Privomega.Client.Chat;
using Privomega.Pir.Engine;

namespace Privomega.Client.Tests;

/// <summary>Drives in-process clients mail epoch by mail epoch on the deployment's manual clock.</summary>
internal static class ClientTestKit
{
    public const int MailEpochsPerEpoch = 4;

    public static async Task<List<PrivomegaClient>> ConnectAsync(InProcessDeployment d, int count, PirSchemeKind scheme, double initiate = 0.5)
    {
        var clients = new List<PrivomegaClient>();
        for (var i = 0; i < count; i++)
        {
            var client = new PrivomegaClient(d.Primary, d.Replica, new ClientOptions { Scheme = scheme, InitiateProbability = initiate, ReadsPerMailEpoch = 2 });
            await client.ConnectAsync(null, CancellationToken.None);
            clients.Add(client);
        }

        d.AdvanceEpoch();
        d.AdvanceMailEpoch();
        return clients;
    }

    /// <summary>Runs <paramref name="mailEpochs"/> mail epochs; <paramref name="onEvent"/> sees every client's events; stops early when <paramref name="done"/> holds.</summary>
    public static async Task<int> DriveAsync(InProcessDeployment d, IReadOnlyList<PrivomegaClient> clients, int mailEpochs, Action<int, ClientEvent>? onEvent = null, Func<bool>? done = null)
    {
        for (var m = 0; m < mailEpochs; m++)
        {
            if (m > 0)
            {
                if (m % MailEpochsPerEpoch == 0)
                {
                    d.AdvanceEpoch();
                }

                d.AdvanceMailEpoch();
            }

            for (var i = 0; i < clients.Count; i++)
            {
                foreach (var e in await clients[i].StepAsync(CancellationToken.None))
                {
                    onEvent?.Invoke(i, e);
                }
            }

            if (done?.Invoke() == true)
            {
                return m + 1;
            }
        }

        return mailEpochs;
    }

    /// <summary>Pairs (a, b) of clients holding established sessions with each other.</summary>
    public static List<(int A, int B)> Pairs(IReadOnlyList<PrivomegaClient> clients)
    {
        var pairs = new List<(int, int)>();
        for (var a = 0; a < clients.Count; a++)
        {
            for (var b = a + 1; b < clients.Count; b++)
            {
                if (clients[a].Session is { State: ChatState.Established } sa && clients[b].Session is { State: ChatState.Established } sb
                    && sa.Peer.Equals(clients[b].Identity.Certificate) && sb.Peer.Equals(clients[a].Identity.Certificate))
                {
                    pairs.Add((a, b));
                }
            }
        }

        return pairs;
    }
}
