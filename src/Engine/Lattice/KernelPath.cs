using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Which implementation of a lattice kernel runs. Every vector path computes exactly what the
/// scalar path computes (same lazy ranges, same reductions), so results agree bit for bit.
/// </summary>
internal enum KernelPath
{
    /// <summary>The specification: plain 64-bit integer code.</summary>
    Scalar = 0,

    /// <summary>Vector256 (four 64-bit lanes); vpmuludq on AVX2.</summary>
    Vector256 = 1,

    /// <summary>Vector512 (eight 64-bit lanes); vpmuludq on AVX-512F.</summary>
    Vector512 = 2,
}

internal static class KernelPaths
{
    /// <summary>The widest path this machine accelerates: what production code dispatches to.</summary>
    public static readonly KernelPath Best =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated && Avx2.IsSupported ? KernelPath.Vector256
        : KernelPath.Scalar;

    /// <summary>
    /// Every path, scalar first. A path this machine does not accelerate still runs: the JIT
    /// lowers its vectors to software and <see cref="Lanes"/> emulates vpmuludq, so tests check
    /// every path's logic against the scalar specification on any machine (slowly).
    /// </summary>
    public static IReadOnlyList<KernelPath> All { get; } = [KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512];
}

/// <summary>
/// The two operations the portable vector API cannot say: the 32×32→64-bit unsigned multiply of
/// the low halves of 64-bit lanes (vpmuludq) and the zero-extending load of 32-bit values
/// (vpmovzxdq). Where the instruction set is missing they fall back to portable code with the
/// same result, which is what lets tests run the vector paths anywhere.
/// </summary>
internal static unsafe class Lanes
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Mul32(Vector512<ulong> a, Vector512<ulong> b)
    {
        if (Avx512F.IsSupported)
        {
            return Avx512F.Multiply(a.AsUInt32(), b.AsUInt32());
        }

        var low = Vector512.Create(0xFFFF_FFFFUL);
        return (a & low) * (b & low);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Mul32(Vector256<ulong> a, Vector256<ulong> b)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.Multiply(a.AsUInt32(), b.AsUInt32());
        }

        var low = Vector256.Create(0xFFFF_FFFFUL);
        return (a & low) * (b & low);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<ulong> Widen512(uint* p)
    {
        if (Avx512F.IsSupported)
        {
            return Avx512F.ConvertToVector512UInt64(Vector256.Load(p));
        }

        var v = Vector256.Load(p);
        return Vector512.Create(Vector256.WidenLower(v), Vector256.WidenUpper(v));
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> Widen256(uint* p)
    {
        if (Avx2.IsSupported)
        {
            return Avx2.ConvertToVector256Int64(p).AsUInt64();
        }

        var v = Vector128.Load(p);
        return Vector256.Create(Vector128.WidenLower(v), Vector128.WidenUpper(v));
    }

    /// <summary>
    /// x ≥ y ? x − y : x for lanes below 2^63, the same value as Min(x, x − y) on unsigned lanes.
    /// AVX2 has no unsigned 64-bit min or compare, but a signed compare is exact below 2^63.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<ulong> CondSub(Vector256<ulong> x, Vector256<ulong> y)
    {
        var below = Vector256.GreaterThan(y.AsInt64(), x.AsInt64()).AsUInt64();
        return x - Vector256.AndNot(y, below);
    }
}
