using System.Globalization;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine;

/// <summary>
/// What this process's kernels really dispatch to, as the runtime configured it (the
/// <c>DOTNET_EnableAVX512=0</c>, <c>DOTNET_EnableAVX2=0</c>, <c>DOTNET_EnableHWIntrinsic=0</c>
/// switches change it): the widest XOR and lattice kernel widths and whether the DPF PRG runs on AES-NI.
/// CI prints <see cref="Describe"/> for every pass and fails a pass that disabled a width it still sees.
/// </summary>
public static class EngineWidths
{
    /// <summary>Whether any engine kernel dispatches to a 512-bit path.</summary>
    public static bool Vector512 => XorKernels.DefaultWidth == KernelWidth.Vector512 || KernelPaths.Best == KernelPath.Vector512;

    /// <summary>
    /// Whether 256-bit paths are accelerated (the batch kernels and the lattice code use them below the
    /// widest width too; the default is 256 where 512 is off).
    /// </summary>
    public static bool Vector256 => System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;

    /// <summary>Whether the DPF PRG runs fixed-key AES on AES-NI (otherwise the portable software AES).</summary>
    public static bool AesNi => DpfPrg.IsAccelerated;

    /// <summary>One line for logs: <c>engine: Vector512 yes, Vector256 yes, AES-NI yes (xor 512, lattice Vector512)</c>.</summary>
    public static string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"engine: Vector512 {YesNo(Vector512)}, Vector256 {YesNo(Vector256)}, AES-NI {YesNo(AesNi)} (xor {(int)XorKernels.DefaultWidth}, lattice {KernelPaths.Best})");

    private static string YesNo(bool value) => value ? "yes" : "no";
}
