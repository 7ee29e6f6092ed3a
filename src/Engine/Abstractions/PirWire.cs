namespace Privomega.Pir.Engine;

/// <summary>Constants and errors shared by every PIR encoding.</summary>
public static class PirWire
{
    /// <summary>The version byte every query and answer encoding starts with.</summary>
    public const byte Version = 1;
}

/// <summary>Why bytes did not decode.</summary>
public enum PirDecodeStatus
{
    /// <summary>The bytes decoded.</summary>
    Ok = 0,

    /// <summary>Fewer bytes than the format needs.</summary>
    Truncated,

    /// <summary>More bytes than the format allows.</summary>
    Oversized,

    /// <summary>The version byte is not one this build reads.</summary>
    WrongVersion,

    /// <summary>The scheme byte names another scheme.</summary>
    WrongScheme,

    /// <summary>A field holds a value outside its range.</summary>
    BadValue,
}

/// <summary>A typed decoding error carrying the field and the found and expected values (never secret content).</summary>
public readonly record struct PirDecodeError(PirDecodeStatus Status, string Field, long Found, long Expected)
{
    /// <summary>The success value.</summary>
    public static PirDecodeError None => default;

    /// <inheritdoc />
    public override string ToString() => Status switch
    {
        PirDecodeStatus.Ok => "ok",
        PirDecodeStatus.Truncated => $"{Field}: truncated, {Found} bytes where {Expected} are needed",
        PirDecodeStatus.Oversized => $"{Field}: {Found} bytes where at most {Expected} are allowed",
        PirDecodeStatus.WrongVersion => $"{Field}: version {Found}, expected {Expected}",
        PirDecodeStatus.WrongScheme => $"{Field}: scheme {Found}, expected {Expected}",
        _ => $"{Field}: value {Found}, expected {Expected}",
    };
}

/// <summary>Thrown by the throwing decoders; the <c>Try</c> decoders return the same <see cref="PirDecodeError"/> instead.</summary>
public sealed class PirFormatException : FormatException
{
    /// <summary>Creates the exception for <paramref name="error"/>.</summary>
    public PirFormatException(PirDecodeError error)
        : base(error.ToString()) => Error = error;

    /// <summary>Creates an exception with a message only.</summary>
    public PirFormatException()
    {
    }

    /// <summary>Creates an exception with a message only.</summary>
    public PirFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and an inner exception.</summary>
    public PirFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The decoding error.</summary>
    public PirDecodeError Error { get; }
}
