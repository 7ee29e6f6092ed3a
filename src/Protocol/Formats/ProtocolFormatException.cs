namespace Privomega.Protocol.Formats;

/// <summary>Why bytes did not decode as a Privomega format.</summary>
public enum ProtocolDecodeStatus
{
    /// <summary>The bytes decoded.</summary>
    Ok = 0,

    /// <summary>Fewer bytes than the format needs.</summary>
    Truncated,

    /// <summary>More bytes than the format allows.</summary>
    Oversized,

    /// <summary>The version byte is not one this build reads.</summary>
    WrongVersion,

    /// <summary>A field holds a value outside its range (a key that is not a valid point, non-zero padding, a count too large).</summary>
    BadValue,
}

/// <summary>A typed decoding error: the field, and the found and expected values (lengths, versions, counts — never secret content).</summary>
public readonly record struct ProtocolDecodeError(ProtocolDecodeStatus Status, string Field, long Found, long Expected)
{
    /// <summary>The success value.</summary>
    public static ProtocolDecodeError None => default;

    /// <summary>True when this is not <see cref="None"/>.</summary>
    public bool IsError => Status != ProtocolDecodeStatus.Ok;

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        ProtocolDecodeStatus.Ok => "ok",
        ProtocolDecodeStatus.Truncated => $"{Field}: truncated, {Found} bytes where {Expected} are needed",
        ProtocolDecodeStatus.Oversized => $"{Field}: {Found} bytes where at most {Expected} are allowed",
        ProtocolDecodeStatus.WrongVersion => $"{Field}: version {Found}, expected {Expected}",
        _ => $"{Field}: value {Found}, expected {Expected}",
    };
}

/// <summary>Thrown by the throwing <c>Decode</c> methods; the <c>TryDecode</c> methods return the same <see cref="ProtocolDecodeError"/>.</summary>
public sealed class ProtocolFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public ProtocolFormatException(ProtocolDecodeError error)
        : base(error.ToString()) => Error = error;

    /// <summary>Creates an exception with no error details.</summary>
    public ProtocolFormatException()
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public ProtocolFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public ProtocolFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The decoding error.</summary>
    public ProtocolDecodeError Error { get; }

    /// <summary>The field that failed to decode.</summary>
    public string Field => Error.Field;

    /// <summary>The value found.</summary>
    public long Found => Error.Found;

    /// <summary>The value expected.</summary>
    public long Expected => Error.Expected;
}
