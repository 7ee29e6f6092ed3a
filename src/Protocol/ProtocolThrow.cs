using System.Diagnostics.CodeAnalysis;

namespace Privomega.Protocol;

/// <summary>
/// Builds the exceptions thrown by the Merkle, HPKE, format and session code in one place, so
/// the methods that validate stay small enough to inline. Messages carry lengths and counts,
/// never key material or plaintext.
/// </summary>
internal static class ProtocolThrow
{
    [DoesNotReturn]
    public static void ArgumentLength(string paramName, int found, int expected) =>
        throw new ArgumentException($"Length {found} where {expected} bytes are expected.", paramName);

    [DoesNotReturn]
    public static void ArgumentMinLength(string paramName, int found, int expected) =>
        throw new ArgumentException($"Length {found} where at least {expected} bytes are needed.", paramName);

    [DoesNotReturn]
    public static void ArgumentMaxLength(string paramName, int found, int expected) =>
        throw new ArgumentException($"Length {found} where at most {expected} bytes are allowed.", paramName);

    [DoesNotReturn]
    public static void ArgumentOutOfRange(string paramName, long found, string expected) =>
        throw new ArgumentOutOfRangeException(paramName, found, $"Value {found}; expected {expected}.");

    [DoesNotReturn]
    public static void Argument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void InvalidOperation(string message) =>
        throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void Disposed(object instance) =>
        throw new ObjectDisposedException(instance.GetType().FullName);
}
