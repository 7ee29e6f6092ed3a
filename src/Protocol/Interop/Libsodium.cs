using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Privomega.Protocol.Interop;

/// <summary>
/// The only declarations of native libsodium functions in Privomega (the "wall"). Every caller goes
/// through <see cref="Sodium.EnsureInitialized"/> first (the typed wrappers do this for them).
/// Pointers are raw <c>byte*</c> so calls stay blittable and allocation-free; sizes follow the C
/// signatures (<c>size_t</c> → <see cref="nuint"/>, <c>unsigned long long</c> → <see cref="ulong"/>).
/// Functions are listed alphabetically so parallel additions merge cleanly.
/// </summary>
internal static unsafe partial class Libsodium
{
    /// <summary>
    /// The library the <c>libsodium</c> NuGet package ships (runtimes/&lt;rid&gt;/native), the same one
    /// NSec binds to: the runtime resolves the name from the application's dependency manifest.
    /// </summary>
    internal const string Library = "libsodium";

    // libsodium 1.0.18 reports library version 10.3; anything older lacks the ed25519/ristretto255 core API.
    internal const int MinimumLibraryVersionMajor = 10;
    internal const int MinimumLibraryVersionMinor = 3;

    internal const int crypto_core_ed25519_BYTES = 32;
    internal const int crypto_core_ed25519_NONREDUCEDSCALARBYTES = 64;
    internal const int crypto_core_ed25519_SCALARBYTES = 32;
    internal const int crypto_core_ed25519_UNIFORMBYTES = 32;
    internal const int crypto_core_ristretto255_BYTES = 32;
    internal const int crypto_core_ristretto255_HASHBYTES = 64;
    internal const int crypto_core_ristretto255_NONREDUCEDSCALARBYTES = 64;
    internal const int crypto_core_ristretto255_SCALARBYTES = 32;

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ed25519_add(byte* r, byte* p, byte* q);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ed25519_from_uniform(byte* p, byte* r);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ed25519_is_valid_point(byte* p);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ed25519_scalar_add(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ed25519_scalar_invert(byte* recip, byte* s);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ed25519_scalar_mul(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ed25519_scalar_negate(byte* neg, byte* s);

    /// <summary>Reduces a 64-byte little-endian integer modulo the group order L into 32 bytes.</summary>
    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ed25519_scalar_reduce(byte* r, byte* s);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ed25519_scalar_sub(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ed25519_sub(byte* r, byte* p, byte* q);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ristretto255_add(byte* r, byte* p, byte* q);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ristretto255_from_hash(byte* p, byte* r);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ristretto255_is_valid_point(byte* p);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ristretto255_scalar_add(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ristretto255_scalar_invert(byte* recip, byte* s);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ristretto255_scalar_mul(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ristretto255_scalar_negate(byte* neg, byte* s);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ristretto255_scalar_random(byte* r);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ristretto255_scalar_reduce(byte* r, byte* s);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial void crypto_core_ristretto255_scalar_sub(byte* z, byte* x, byte* y);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_core_ristretto255_sub(byte* r, byte* p, byte* q);

    /// <summary>n·p without clamping; fails for p outside the prime-order subgroup, small-order p, or n·p = identity.</summary>
    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_scalarmult_ed25519_noclamp(byte* q, byte* n, byte* p);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_scalarmult_ed25519_base_noclamp(byte* q, byte* n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_scalarmult_ristretto255(byte* q, byte* n, byte* p);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int crypto_scalarmult_ristretto255_base(byte* q, byte* n);

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int sodium_init();

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int sodium_library_version_major();

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial int sodium_library_version_minor();

    [LibraryImport(Library)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    internal static partial byte* sodium_version_string();
}
