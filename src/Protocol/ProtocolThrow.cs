using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace Privomega.Protocol;

/// <summary>
/// The one place protocol code builds exceptions, so that hot methods calling these stay small
/// and inlinable. Messages carry sizes and expectations, never key material or message content.
/// </summary>
internal static class ProtocolThrow
{
    [DoesNotReturn]
    internal static void ArgumentLength(string paramName, int found, int expected) =>
        throw new ArgumentException($"Length is {found} bytes, expected {expected}.", paramName);

    [DoesNotReturn]
    internal static void ArgumentLengthAtLeast(string paramName, int found, int minimum) =>
        throw new ArgumentException($"Length is {found} bytes, expected at least {minimum}.", paramName);

    [DoesNotReturn]
    internal static void ArgumentLengthAtMost(string paramName, long found, long maximum) =>
        throw new ArgumentException($"Length is {found} bytes, expected at most {maximum}.", paramName);

    [DoesNotReturn]
    internal static void ArgumentOutOfRange(string paramName, long found, string expected) =>
        throw new ArgumentOutOfRangeException(paramName, found, $"Found {found}, expected {expected}.");

    [DoesNotReturn]
    internal static void Argument(string paramName, string message) =>
        throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    internal static void Overlap(string paramName) =>
        throw new ArgumentException("The output buffer overlaps an input buffer; expected disjoint buffers.", paramName);

    [DoesNotReturn]
    internal static void InvalidKey(string paramName, string keyKind) =>
        throw new ArgumentException($"The bytes are not a valid {keyKind}.", paramName);

    [DoesNotReturn]
    internal static void Cryptographic(string operation) =>
        throw new CryptographicException($"{operation} failed.");

    [DoesNotReturn]
    internal static void InvalidOperation(string message) =>
        throw new InvalidOperationException(message);

    [DoesNotReturn]
    internal static void Disposed(object instance) =>
        throw new ObjectDisposedException(instance.GetType().FullName);
}
