using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine;

/// <summary>
/// Builds every exception the engine throws, so hot methods keep only a call to a method that
/// never returns and stay small enough to inline. Messages carry found and expected values,
/// never record or query content.
/// </summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    internal static void ArgumentOutOfRange(string paramName, long found, string expected) =>
        throw new ArgumentOutOfRangeException(paramName, found, $"{paramName} is {found}; expected {expected}.");

    /// <summary>For indices a PIR client hides: the message names the valid range but not the value.</summary>
    [DoesNotReturn]
    internal static void SecretIndexOutOfRange(string paramName, long count) =>
        throw new ArgumentOutOfRangeException(paramName, $"{paramName} is outside the database; expected 0 <= {paramName} < {count}.");

    /// <summary>For a secret value (a DPF's point): the message names what was expected but not the value.</summary>
    [DoesNotReturn]
    internal static void SecretOutOfRange(string paramName, string expected) =>
        throw new ArgumentOutOfRangeException(paramName, $"{paramName} is out of range; expected {expected}.");

    [DoesNotReturn]
    internal static void ArgumentLength(string paramName, long found, long expected) =>
        throw new ArgumentException($"{paramName} has length {found}; expected {expected}.", paramName);

    [DoesNotReturn]
    internal static void ArgumentLengthAtLeast(string paramName, long found, long expected) =>
        throw new ArgumentException($"{paramName} has length {found}; expected at least {expected}.", paramName);

    [DoesNotReturn]
    internal static void Argument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    internal static void InvalidOperation(string message) =>
        throw new InvalidOperationException(message);

    [DoesNotReturn]
    internal static void ObjectDisposed(string typeName) =>
        throw new ObjectDisposedException(typeName);

    [DoesNotReturn]
    internal static void Format(PirDecodeError error) =>
        throw new PirFormatException(error);
}
