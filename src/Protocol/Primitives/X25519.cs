using System.Diagnostics;
using System.Security.Cryptography;
using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Primitives;

/// <summary>The raw X25519 function (RFC 7748) on byte strings, for protocols (HPKE, the ratchet) that hold scalars themselves.</summary>
public static class X25519
{
    /// <summary>
    /// Computes X25519(<paramref name="scalar"/>, <paramref name="uCoordinate"/>) into
    /// <paramref name="output"/>; false (output zeroed) when the result is all zeros.
    /// </summary>
    public static bool TryScalarMultiply(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> uCoordinate, Span<byte> output)
    {
        if (scalar.Length != X25519KeyPair.PrivateKeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(scalar), scalar.Length, X25519KeyPair.PrivateKeySize);
        }

        if (uCoordinate.Length != X25519PublicKey.Size)
        {
            ProtocolThrow.ArgumentLength(nameof(uCoordinate), uCoordinate.Length, X25519PublicKey.Size);
        }

        if (output.Length != X25519KeyPair.SharedSecretSize)
        {
            ProtocolThrow.ArgumentLength(nameof(output), output.Length, X25519KeyPair.SharedSecretSize);
        }

        return TryAgreeCore(scalar, uCoordinate, output);
    }

    /// <summary>Computes X25519(<paramref name="scalar"/>, 9), the public key of a private scalar.</summary>
    public static unsafe void ScalarMultiplyBase(ReadOnlySpan<byte> scalar, Span<byte> output)
    {
        if (scalar.Length != X25519KeyPair.PrivateKeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(scalar), scalar.Length, X25519KeyPair.PrivateKeySize);
        }

        if (output.Length != X25519PublicKey.Size)
        {
            ProtocolThrow.ArgumentLength(nameof(output), output.Length, X25519PublicKey.Size);
        }

        Sodium.EnsureInitialized();
        fixed (byte* q = output)
        fixed (byte* n = scalar)
        {
            if (Libsodium.crypto_scalarmult_curve25519_base(q, n) != 0)
            {
                ProtocolThrow.Cryptographic("X25519 base point multiplication");
            }
        }
    }

    internal static unsafe bool TryAgreeCore(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> uCoordinate, Span<byte> output)
    {
        Debug.Assert(scalar.Length == 32 && uCoordinate.Length == 32 && output.Length == 32);
        Sodium.EnsureInitialized();
        int result;
        fixed (byte* q = output)
        fixed (byte* n = scalar)
        fixed (byte* p = uCoordinate)
        {
            // libsodium returns -1 exactly when the result is all zeros (a small-order peer point).
            result = Libsodium.crypto_scalarmult_curve25519(q, n, p);
        }

        if (result != 0)
        {
            CryptographicOperations.ZeroMemory(output);
            return false;
        }

        return true;
    }
}
