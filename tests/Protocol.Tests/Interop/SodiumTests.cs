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
    public void MissingLibraryMessage_NamesThePackage() =>
        Assert.Contains("apt-get install libsodium23", Sodium.MissingLibraryMessage, StringComparison.Ordinal);

    [Fact]
    public void RandomBytes_FillsTheBuffer()
    {
        byte[] a = new byte[64];
        byte[] b = new byte[64];
        Sodium.RandomBytes(a);
        Sodium.RandomBytes(b);
        Assert.NotEqual(a, b);
        Assert.Contains(a, x => x != 0);
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
    public void SecretBuffer_RejectsNonPositiveLength()
    {
        ArgumentOutOfRangeException e = Assert.Throws<ArgumentOutOfRangeException>(() => new SecretBuffer(0));
        Assert.Contains("expected a positive length", e.Message, StringComparison.Ordinal);
    }
}
