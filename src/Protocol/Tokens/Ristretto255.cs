using System.Diagnostics;
using Privomega.Protocol.Interop;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Tokens;

/// <summary>
/// The prime-order group ristretto255 (RFC 9496) as RFC 9497 uses it, over libsodium's core
/// functions. Elements are 32-byte canonical encodings; scalars are 32-byte little-endian integers
/// modulo L = 2^252 + 27742317777372353535851937790883648493. Callers ensure libsodium is initialised.
/// </summary>
internal static unsafe class Ristretto255
{
    public const int ElementSize = Libsodium.crypto_core_ristretto255_BYTES;
    public const int ScalarSize = Libsodium.crypto_core_ristretto255_SCALARBYTES;
    public const int HashSize = Libsodium.crypto_core_ristretto255_HASHBYTES;

    /// <summary>DeserializeElement: canonical, on the group, and not the identity (RFC 9497 §2.1).</summary>
    public static bool IsValidElement(ReadOnlySpan<byte> element)
    {
        Debug.Assert(element.Length == ElementSize);
        fixed (byte* p = element)
        {
            // is_valid_point accepts no non-canonical encoding; the identity is all zeros and is refused.
            return Libsodium.crypto_core_ristretto255_is_valid_point(p) == 1 && !IsZero(element);
        }
    }

    /// <summary>DeserializeScalar: canonical, i.e. below L.</summary>
    public static bool IsCanonicalScalar(ReadOnlySpan<byte> scalar) => Scalar25519.IsCanonical(scalar);

    public static bool IsZero(ReadOnlySpan<byte> bytes)
    {
        int acc = 0;
        foreach (byte b in bytes)
        {
            acc |= b;
        }

        return acc == 0;
    }

    /// <summary>q = n·p; false if p is invalid or the product is the identity (n = 0 mod L).</summary>
    public static bool TryMultiply(ReadOnlySpan<byte> scalar, ReadOnlySpan<byte> element, Span<byte> product)
    {
        fixed (byte* q = product)
        fixed (byte* n = scalar)
        fixed (byte* p = element)
        {
            return Libsodium.crypto_scalarmult_ristretto255(q, n, p) == 0;
        }
    }

    /// <summary>q = n·G; false if n = 0 mod L.</summary>
    public static bool TryMultiplyBase(ReadOnlySpan<byte> scalar, Span<byte> product)
    {
        fixed (byte* q = product)
        fixed (byte* n = scalar)
        {
            return Libsodium.crypto_scalarmult_ristretto255_base(q, n) == 0;
        }
    }

    public static bool TryAdd(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, Span<byte> sum)
    {
        fixed (byte* r = sum)
        fixed (byte* p = a)
        fixed (byte* q = b)
        {
            return Libsodium.crypto_core_ristretto255_add(r, p, q) == 0;
        }
    }

    /// <summary>The one-way map of RFC 9496 §4.3.4 from 64 uniform bytes.</summary>
    public static void FromHash(ReadOnlySpan<byte> uniform, Span<byte> element)
    {
        Debug.Assert(uniform.Length == HashSize);
        fixed (byte* p = element)
        fixed (byte* r = uniform)
        {
            // Always 0: the map is total.
            int result = Libsodium.crypto_core_ristretto255_from_hash(p, r);
            Debug.Assert(result == 0);
        }
    }

    /// <summary>Reduces a 64-byte little-endian integer modulo L.</summary>
    public static void Reduce(ReadOnlySpan<byte> wide, Span<byte> scalar)
    {
        Debug.Assert(wide.Length == 64);
        fixed (byte* r = scalar)
        fixed (byte* s = wide)
        {
            Libsodium.crypto_core_ristretto255_scalar_reduce(r, s);
        }
    }

    /// <summary>A uniform non-zero scalar.</summary>
    public static void RandomScalar(Span<byte> scalar)
    {
        fixed (byte* r = scalar)
        {
            Libsodium.crypto_core_ristretto255_scalar_random(r);
        }
    }

    public static bool TryInvert(ReadOnlySpan<byte> scalar, Span<byte> inverse)
    {
        fixed (byte* r = inverse)
        fixed (byte* s = scalar)
        {
            return Libsodium.crypto_core_ristretto255_scalar_invert(r, s) == 0;
        }
    }

    public static void Multiply(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> z)
    {
        fixed (byte* pz = z)
        fixed (byte* px = x)
        fixed (byte* py = y)
        {
            Libsodium.crypto_core_ristretto255_scalar_mul(pz, px, py);
        }
    }

    public static void Add(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> z)
    {
        fixed (byte* pz = z)
        fixed (byte* px = x)
        fixed (byte* py = y)
        {
            Libsodium.crypto_core_ristretto255_scalar_add(pz, px, py);
        }
    }

    public static void Subtract(ReadOnlySpan<byte> x, ReadOnlySpan<byte> y, Span<byte> z)
    {
        fixed (byte* pz = z)
        fixed (byte* px = x)
        fixed (byte* py = y)
        {
            Libsodium.crypto_core_ristretto255_scalar_sub(pz, px, py);
        }
    }
}
