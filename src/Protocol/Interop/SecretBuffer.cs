using System.Runtime.InteropServices;

namespace Privomega.Protocol.Interop;

/// <summary>
/// Secret bytes (private keys, shared secrets, chain keys) in 64-byte-aligned native memory that
/// the GC never copies and that is overwritten with zeros before it is freed — on
/// <see cref="IDisposable.Dispose"/> or, as a last resort, by the finalizer of the handle.
/// </summary>
internal sealed unsafe class SecretBuffer : SafeHandle
{
    private const nuint Alignment = 64;

    /// <summary>Allocates <paramref name="length"/> zeroed bytes.</summary>
    internal SecretBuffer(int length)
        : base(nint.Zero, ownsHandle: true)
    {
        if (length <= 0)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(length), length, "a positive length");
        }

        void* memory = NativeMemory.AlignedAlloc((nuint)length, Alignment);
        NativeMemory.Clear(memory, (nuint)length);
        Length = length;
        SetHandle((nint)memory);
    }

    /// <summary>The number of secret bytes.</summary>
    internal int Length { get; }

    /// <inheritdoc />
    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>
    /// The secret bytes. Valid only while this buffer is not disposed; callers keep the span on the
    /// stack of one call and never store it.
    /// </summary>
    internal Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return new Span<byte>((void*)handle, Length);
        }
    }

    /// <summary>Copies <paramref name="source"/> into a new buffer of the same length.</summary>
    internal static SecretBuffer CopyFrom(ReadOnlySpan<byte> source)
    {
        var buffer = new SecretBuffer(source.Length);
        source.CopyTo(buffer.Span);
        return buffer;
    }

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        // CryptographicOperations.ZeroMemory is never optimised away, like sodium_memzero, but
        // needs no native library: a finalizer may run after a failed libsodium load.
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(new Span<byte>((void*)handle, Length));
        NativeMemory.AlignedFree((void*)handle);
        return true;
    }
}
