using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Server.Storage;

namespace Privomega.Server.Domain;

/// <summary>
/// The matchmaking queue (primary): sealed requests of the current epoch, polled by cursor. Records that a
/// request was posted in epoch t (the leakage contract's allowance); the request is opaque HPKE ciphertext.
/// </summary>
public sealed class QueueService(IServerStore store, ServerClock clock, ServerMetrics metrics)
{
    /// <summary>Most entries one poll returns.</summary>
    public const int MaxPage = 256;

    /// <summary>Queues a request for epoch <paramref name="epoch"/> (which must be the current one).</summary>
    public async Task<long> PostAsync(ulong epoch, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!MatchmakingRequest.TryReadEnvelope(body.Span, out var inner, out var error))
        {
            throw ServerProblemException.Decode(error);
        }

        var current = clock.CurrentEpoch;
        if (inner != epoch)
        {
            throw ServerProblemException.WrongEpoch("t", inner, epoch);
        }

        if (epoch != current)
        {
            throw ServerProblemException.WrongEpoch("t", epoch, current);
        }

        var cursor = await store.EnqueueAsync(epoch, body.ToArray(), cancellationToken).ConfigureAwait(false);
        metrics.QueuePosts.Add(1);
        metrics.SetQueueLength(cursor);
        return cursor;
    }

    /// <summary>A page of epoch <paramref name="epoch"/>'s queue after <paramref name="after"/> (current or previous epoch).</summary>
    public async Task<byte[]> PollAsync(ulong epoch, long after, int max, CancellationToken cancellationToken)
    {
        var current = clock.CurrentEpoch;
        if (epoch > current || epoch + 1 < current)
        {
            throw ServerProblemException.WrongEpoch("t", epoch, current);
        }

        if (max is < 1 or > MaxPage || after < 0)
        {
            throw new ServerProblemException(400, "bad-value", "max must be 1..256 and after ≥ 0", "max", max, MaxPage);
        }

        var page = await store.ReadQueueAsync(epoch, after, max, cancellationToken).ConfigureAwait(false);
        var next = page.Count == 0 ? after : page[^1].Cursor;
        return FixedList.Encode((ulong)next, MatchmakingRequest.SealedSize, page.Select(e => (ReadOnlyMemory<byte>)e.Request).ToList());
    }
}
