using System.Diagnostics.CodeAnalysis;

namespace Privomega.Protocol.Tokens;

/// <summary>
/// Builds every exception the token code throws, so hot methods stay small enough to inline.
/// Messages carry found and expected sizes, never key material or token contents.
/// </summary>
internal static class TokenThrow
{
    [DoesNotReturn]
    public static void Length(string paramName, int found, int expected) =>
        throw new ArgumentException($"{paramName} has {found} bytes; expected {expected}.", paramName);

    [DoesNotReturn]
    public static void LengthAtLeast(string paramName, int found, int expected) =>
        throw new ArgumentException($"{paramName} has {found} bytes; expected at least {expected}.", paramName);

    [DoesNotReturn]
    public static void OutOfRange(string paramName, long found, string expected) =>
        throw new ArgumentOutOfRangeException(paramName, found, $"{paramName} is {found}; expected {expected}.");

    [DoesNotReturn]
    public static void Invalid(string paramName, string reason) =>
        throw new ArgumentException(reason, paramName);

    [DoesNotReturn]
    public static void Crypto(string reason) =>
        throw new System.Security.Cryptography.CryptographicException(reason);

    [DoesNotReturn]
    public static void Disposed(object instance) =>
        throw new ObjectDisposedException(instance.GetType().Name);
}
