using System.Diagnostics;

namespace Privomega.Protocol.Primitives;

/// <summary>The raw X25519 function (RFC 7748) on byte strings, through NSec, for protocols (HPKE, the ratchet) that hold scalars themselves.</summary>
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
    public static void ScalarMultiplyBase(ReadOnlySpan<byte> scalar, Span<byte> output)
    {
        if (scalar.Length != X25519KeyPair.PrivateKeySize)
        {
            ProtocolThrow.ArgumentLength(nameof(scalar), scalar.Length, X25519KeyPair.PrivateKeySize);
        }

        if (output.Length != X25519PublicKey.Size)
        {
            ProtocolThrow.ArgumentLength(nameof(output), output.Length, X25519PublicKey.Size);
        }

        using var key = NSecX25519.Import(scalar);
        NSecX25519.PublicKeyOf(key, output);
    }

    internal static bool TryAgreeCore(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> uCoordinate, Span<byte> output)
    {
        Debug.Assert(scalar.Length == 32 && uCoordinate.Length == 32 && output.Length == 32);
        using var key = NSecX25519.Import(scalar);
        return NSecX25519.TryAgree(key, uCoordinate, output);
    }
}
