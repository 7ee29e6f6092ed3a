using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Tests;

/// <summary>
/// The widths the engine uses follow the runtime's switches. CI sets PRIVOMEGA_WIDTHS to a file and
/// prints what this test writes there, so every pass shows the widths it really ran with; a pass
/// that disables a width and still sees it fails here (and in .ci/run, which checks the line).
/// </summary>
public class EngineWidthTests
{
    private static bool Disabled(string variable) => Environment.GetEnvironmentVariable(variable) == "0";

    [Fact]
    public void Engine_widths_follow_the_runtime_switches()
    {
        string line = EngineWidths.Describe();
        if (Environment.GetEnvironmentVariable("PRIVOMEGA_WIDTHS") is { Length: > 0 } path)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }

        // .NET 10 ignores DOTNET_EnableAVX512F: a pass setting it believes it disabled AVX-512 and did not.
        Assert.Null(Environment.GetEnvironmentVariable("DOTNET_EnableAVX512F"));

        // The line says what the kernels dispatch to.
        Assert.Equal(EngineWidths.Vector512, XorKernels.DefaultWidth == KernelWidth.Vector512);
        Assert.Equal(EngineWidths.Vector512, KernelPaths.Best == KernelPath.Vector512);
        Assert.Equal(Vector512.IsHardwareAccelerated && Avx512F.IsSupported, EngineWidths.Vector512);
        Assert.Equal(System.Runtime.Intrinsics.X86.Aes.IsSupported, EngineWidths.AesNi);
        Assert.Contains($"Vector512 {(EngineWidths.Vector512 ? "yes" : "no")}", line, StringComparison.Ordinal);

        bool noIntrinsics = Disabled("DOTNET_EnableHWIntrinsic");
        if (Disabled("DOTNET_EnableAVX512") || Disabled("DOTNET_EnableAVX2") || noIntrinsics)
        {
            Assert.False(EngineWidths.Vector512, line);
            Assert.NotEqual(KernelWidth.Vector512, XorKernels.DefaultWidth);
            Assert.NotEqual(KernelPath.Vector512, KernelPaths.Best);
        }

        if (Disabled("DOTNET_EnableAVX2") || noIntrinsics)
        {
            Assert.False(EngineWidths.Vector256, line);
            Assert.Equal(KernelWidth.Scalar, XorKernels.DefaultWidth);
            Assert.Equal(KernelPath.Scalar, KernelPaths.Best);
        }

        if (noIntrinsics)
        {
            Assert.False(EngineWidths.AesNi, line);
        }
    }
}
