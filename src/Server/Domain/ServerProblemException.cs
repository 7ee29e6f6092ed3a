using Privomega.Pir.Engine;
using Privomega.Protocol.Formats;

namespace Privomega.Server.Domain;

/// <summary>
/// A domain error with its HTTP status and problem code (docs/http-api.md, "Errors"). Domain services throw
/// it; <c>Http.Problems</c> turns it into RFC 9457 problem details in one place. Its fields are lengths,
/// versions and counts only, never request content.
/// </summary>
public sealed class ServerProblemException : Exception
{
    /// <summary>Creates a problem.</summary>
    public ServerProblemException(int status, string code, string title, string? field = null, long? found = null, long? expected = null)
        : base(title)
    {
        Status = status;
        Code = code;
        Field = field;
        Found = found;
        Expected = expected;
    }

    /// <summary>Creates a problem with no details.</summary>
    public ServerProblemException()
        : this(500, "internal", "internal error")
    {
    }

    /// <summary>Creates a problem with a title only.</summary>
    public ServerProblemException(string message)
        : this(400, "bad-value", message)
    {
    }

    /// <summary>Creates a problem with a title and inner exception.</summary>
    public ServerProblemException(string message, Exception innerException)
        : base(message, innerException)
    {
        Status = 500;
        Code = "internal";
    }

    /// <summary>HTTP status.</summary>
    public int Status { get; }

    /// <summary>Problem code (the <c>type</c> is <c>urn:privomega:problem:{code}</c>).</summary>
    public string Code { get; }

    /// <summary>Field of a decode error.</summary>
    public string? Field { get; }

    /// <summary>Found value of a decode error.</summary>
    public long? Found { get; }

    /// <summary>Expected value of a decode error.</summary>
    public long? Expected { get; }

    /// <summary>A body that did not decode as a Protocol format.</summary>
    public static ServerProblemException Decode(ProtocolDecodeError error) => new(400, error.Status switch
    {
        ProtocolDecodeStatus.Truncated => "truncated",
        ProtocolDecodeStatus.Oversized => "oversized",
        ProtocolDecodeStatus.WrongVersion => "wrong-version",
        _ => "bad-value",
    }, "malformed body", error.Field, error.Found, error.Expected);

    /// <summary>A body that did not decode as an engine PIR format.</summary>
    public static ServerProblemException Decode(PirDecodeError error) => new(400, error.Status switch
    {
        PirDecodeStatus.Truncated => "truncated",
        PirDecodeStatus.Oversized => "oversized",
        PirDecodeStatus.WrongVersion => "wrong-version",
        PirDecodeStatus.WrongScheme => "wrong-scheme",
        _ => "bad-value",
    }, "malformed body", error.Field, error.Found, error.Expected);

    /// <summary>Something was asked of an epoch, mail epoch or period the server does not accept now.</summary>
    public static ServerProblemException WrongEpoch(string field, ulong found, ulong expected) => new(409, "wrong-epoch", "wrong epoch", field, (long)Math.Min(found, long.MaxValue), (long)Math.Min(expected, long.MaxValue));

    /// <summary>Not found.</summary>
    public static ServerProblemException NotFound(string title = "not found") => new(404, "not-found", title);

    /// <summary>Nothing published yet.</summary>
    public static ServerProblemException Unavailable(string title) => new(503, "unavailable", title);
}
