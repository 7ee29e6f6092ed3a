using Privomega.Protocol.Interop;

namespace Privomega.Protocol.Tests.Interop;

public sealed class SodiumTests
{
    [Fact]
    public void EnsureInitialized_LoadsLibsodium_AndIsIdempotent()
    {
        Sodium.EnsureInitialized();
        Sodium.EnsureInitialized();
        Assert.True(Libsodium.sodium_library_version_major() >= Libsodium.MinimumLibraryVersionMajor);
        Assert.Equal(1, Libsodium.sodium_init()); // 1 = already initialised by EnsureInitialized
    }

    [Fact]
    public void MissingLibraryMessage_NamesThePackage()
    {
        Assert.Contains("`libsodium` NuGet package", Sodium.MissingLibraryMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("apt-get", Sodium.MissingLibraryMessage, StringComparison.Ordinal);
    }

    /// <summary>
    /// The process runs the library the <c>libsodium</c> package ships (1.0.22), not a system copy
    /// (Debian 12's libsodium23 is 1.0.18): so a machine with only the .NET SDK runs everything.
    /// </summary>
    [Fact]
    public void Process_runs_the_packaged_libsodium()
    {
        Assert.Equal("1.0.22", Sodium.VersionString);
        if (OperatingSystem.IsLinux())
        {
            // Every mapped libsodium is the one copied beside the test assembly from the package.
            string[] mapped = File.ReadAllLines("/proc/self/maps")
                .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                .Where(fields => fields.Length >= 6 && Path.GetFileName(fields[5]).StartsWith("libsodium", StringComparison.Ordinal))
                .Select(fields => fields[5])
                .Distinct()
                .ToArray();
            Assert.NotEmpty(mapped);
            Assert.All(mapped, path => Assert.StartsWith(AppContext.BaseDirectory, path, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void SecretBuffer_IsZeroedOnAllocation_AlignedAndUnusableAfterDispose()
    {
        var buffer = new SecretBuffer(48);
        Assert.Equal(48, buffer.Length);
        Assert.All(buffer.Span.ToArray(), x => Assert.Equal(0, x));
        unsafe
        {
            fixed (byte* p = buffer.Span)
            {
                Assert.Equal(0, (long)p % 64);
            }
        }

        buffer.Span.Fill(0xA5);
        buffer.Dispose();
        Assert.True(buffer.IsClosed);
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Fact]
    public void SecretBuffer_Lease_KeepsTheBytesAliveAcrossDispose_AndRefusesNewLeasesAfterwards()
    {
        var buffer = new SecretBuffer(32);
        buffer.Span.Fill(0xA5);
        byte[] seenAfterDispose;
        using (SecretBuffer.Lease lease = buffer.Acquire())
        {
            // Another owner disposes while the bytes are in use (for example by native code): the
            // memory must stay allocated and intact until the lease ends, not be zeroed and freed.
            buffer.Dispose();
            seenAfterDispose = lease.Span.ToArray();
        }

        Assert.All(seenAfterDispose, x => Assert.Equal(0xA5, x));
        Assert.True(buffer.IsClosed); // released (zeroed and freed) when the last lease ended
        Assert.Throws<ObjectDisposedException>(() => { using SecretBuffer.Lease late = buffer.Acquire(); });
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Fact]
    public void SecretBuffer_RejectsNonPositiveLength()
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new SecretBuffer(0));
        Assert.Contains("expected a positive length", e.Message, StringComparison.Ordinal);
    }
}
