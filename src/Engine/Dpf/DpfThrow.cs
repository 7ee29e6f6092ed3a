using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine;

/// <summary>Builds the exceptions of the DPF code so the methods that throw stay small and inlinable.</summary>
internal static class DpfThrow
{
    [DoesNotReturn]
    public static void OutOfRange(string parameter, long found, string expected) =>
        throw new ArgumentOutOfRangeException(parameter, $"{parameter} is {found}; expected {expected}.");

    [DoesNotReturn]
    public static void SecretOutOfRange(string parameter, string expected) =>
        throw new ArgumentOutOfRangeException(parameter, $"{parameter} is out of range; expected {expected}.");

    [DoesNotReturn]
    public static void Argument(string parameter, string message) =>
        throw new ArgumentException(message, parameter);

    [DoesNotReturn]
    public static void Format(PirDecodeError error) => throw new PirFormatException(error);

    [DoesNotReturn]
    public static void Disposed(string type) => throw new ObjectDisposedException(type);
}
