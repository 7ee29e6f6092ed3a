using Privomega.Protocol.Formats;

namespace Privomega.Protocol.Api;

/// <summary>The version byte every HTTP API message (docs/http-api.md) starts with, and the shared decode plumbing.</summary>
public static class ApiWire
{
    /// <summary>The version byte this build writes and reads.</summary>
    public const byte Version = 1;

    /// <summary>Throws <see cref="ProtocolFormatException"/> for a failed <c>TryDecode</c>.</summary>
    internal static T OrThrow<T>(bool ok, T? value, ProtocolDecodeError error)
        where T : class => ok && value is not null ? value : throw new ProtocolFormatException(error);

    internal static void CheckLength(ReadOnlySpan<byte> value, int expected, string name)
    {
        if (value.Length != expected)
        {
            ProtocolThrow.ArgumentLength(name, value.Length, expected);
        }
    }

    /// <summary>Reads a count and checks it against a maximum and against what is left at <paramref name="itemBytes"/> bytes each.</summary>
    internal static int ReadCount(ref WireReader reader, bool wide, string field, int max, int itemBytes)
    {
        long count = wide ? reader.ReadUInt32(field) : reader.ReadUInt16(field);
        if (reader.Failed)
        {
            return 0;
        }

        if (count > max)
        {
            reader.Fail(ProtocolDecodeStatus.BadValue, field, count, max);
            return 0;
        }

        if (itemBytes > 0 && count * itemBytes > reader.Remaining)
        {
            reader.Fail(ProtocolDecodeStatus.Truncated, field, reader.Remaining, count * itemBytes);
            return 0;
        }

        return (int)count;
    }
}

/// <summary>The two server roles (DESIGN "Two servers").</summary>
public enum ServerRole : byte
{
    /// <summary>Accepts writes, publishes heads and snapshots, answers every PIR scheme.</summary>
    Primary = 1,

    /// <summary>Follows the primary's verified snapshots and answers XOR PIR.</summary>
    Replica = 2,
}

/// <summary>The two PIR databases a server serves.</summary>
public enum PirDatabaseKind : byte
{
    /// <summary>The records of <c>keydir_t</c>.</summary>
    Directory = 1,

    /// <summary>The mailbox snapshot in its keyword layout.</summary>
    Mailbox = 2,
}
