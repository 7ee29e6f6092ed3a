using System.Diagnostics.CodeAnalysis;
using Privomega.Protocol.Formats;

namespace Privomega.Protocol.Api;

/// <summary>
/// A list of equal-size blobs with one 64-bit header value: <c>1 ‖ header(u64) ‖ count(u32) ‖
/// count × item</c>. Used for head lists (header 0), queue pages (header = next cursor) and
/// directory snapshots (header = t, items = certificates). The item size is fixed by the
/// caller (the format of the items), so a decoder never trusts a length from the wire.
/// </summary>
public sealed class FixedList
{
    private FixedList(ulong header, int itemSize, byte[][] items)
    {
        Header = header;
        ItemSize = itemSize;
        Items = items;
    }

    /// <summary>The header value (next cursor, epoch, or 0).</summary>
    public ulong Header { get; }

    /// <summary>Bytes of every item.</summary>
    public int ItemSize { get; }

    /// <summary>The items, in order.</summary>
    public IReadOnlyList<byte[]> Items { get; }

    /// <summary>Encodes <paramref name="items"/> (each exactly <paramref name="itemSize"/> bytes).</summary>
    public static byte[] Encode(ulong header, int itemSize, IReadOnlyList<ReadOnlyMemory<byte>> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(itemSize);
        var bytes = new byte[1 + 8 + 4 + ((long)items.Count * itemSize)];
        var w = new WireWriter(bytes);
        w.WriteByte(ApiWire.Version);
        w.WriteUInt64(header);
        w.WriteUInt32((uint)items.Count);
        foreach (var item in items)
        {
            ApiWire.CheckLength(item.Span, itemSize, nameof(items));
            w.WriteBytes(item.Span);
        }

        return bytes;
    }

    /// <summary>Decodes a list of items of <paramref name="itemSize"/> bytes, at most <paramref name="maxCount"/>.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> data, int itemSize, int maxCount, [NotNullWhen(true)] out FixedList? list, out ProtocolDecodeError error)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(itemSize);
        list = null;
        var r = new WireReader(data, "list");
        r.ReadVersion(ApiWire.Version);
        var header = r.ReadUInt64("header");
        var count = ApiWire.ReadCount(ref r, wide: true, "count", maxCount, itemSize);
        var items = new byte[r.Failed ? 0 : count][];
        for (var i = 0; i < items.Length; i++)
        {
            items[i] = r.ReadBytes(itemSize, "item").ToArray();
        }

        if (!r.Finish(out error))
        {
            return false;
        }

        list = new FixedList(header, itemSize, items);
        return true;
    }

    /// <summary>Decodes or throws <see cref="ProtocolFormatException"/>.</summary>
    public static FixedList Decode(ReadOnlySpan<byte> data, int itemSize, int maxCount) =>
        ApiWire.OrThrow(TryDecode(data, itemSize, maxCount, out var v, out var e), v, e);
}
