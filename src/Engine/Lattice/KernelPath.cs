using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Which implementation of a lattice kernel runs. Every vector path computes exactly what the
/// scalar path computes (same lazy ranges, same reductions), so results agree bit for bit.
/// The vector paths need the 32×32→64-bit unsigned multiply (vpmuludq) that the portable vector
/// API cannot express, hence the Avx512F/Avx2 checks.
/// </summary>
internal enum KernelPath
{
    /// <summary>The specification: plain 64-bit integer code.</summary>
    Scalar = 0,

    /// <summary>Vector256 with AVX2 (four 64-bit lanes).</summary>
    Vector256 = 1,

    /// <summary>Vector512 with AVX-512F (eight 64-bit lanes).</summary>
    Vector512 = 2,
}

internal static class KernelPaths
{
    /// <summary>The widest path this machine accelerates.</summary>
    public static readonly KernelPath Best =
        Vector512.IsHardwareAccelerated && Avx512F.IsSupported ? KernelPath.Vector512
        : Vector256.IsHardwareAccelerated && Avx2.IsSupported ? KernelPath.Vector256
        : KernelPath.Scalar;

    /// <summary>Every path this machine can run, scalar first (for tests that compare them).</summary>
    public static IReadOnlyList<KernelPath> Supported { get; } = Best switch
    {
        KernelPath.Vector512 => [KernelPath.Scalar, KernelPath.Vector256, KernelPath.Vector512],
        KernelPath.Vector256 => [KernelPath.Scalar, KernelPath.Vector256],
        _ => [KernelPath.Scalar],
    };

    /// <summary>Clamps a requested path to what the machine supports.</summary>
    public static KernelPath Clamp(KernelPath requested) => requested > Best ? Best : requested;
}
