using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>Builds the lattice code's exceptions in one place so hot methods stay small enough to inline.</summary>
internal static class LatticeThrow
{
    [DoesNotReturn]
    public static void ArgumentOutOfRange(string name, long found, string expected) =>
        throw new ArgumentOutOfRangeException(name, found, $"{name} is {found}; expected {expected}.");

    [DoesNotReturn]
    public static void Argument(string name, string message) =>
        throw new ArgumentException(message, name);

    [DoesNotReturn]
    public static void LengthMismatch(string name, long found, long expected) =>
        throw new ArgumentException($"{name} has length {found}; expected {expected}.", name);

    [DoesNotReturn]
    public static void Format(PirDecodeError error) => throw new PirFormatException(error);

    [DoesNotReturn]
    public static void InvalidOperation(string message) => throw new InvalidOperationException(message);

    [DoesNotReturn]
    public static void Disposed(object instance) => throw new ObjectDisposedException(instance.GetType().Name);
}
