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
    /// stack of one call and never store it. Nothing stops a concurrent dispose or the finalizer from
    /// freeing the memory under this span: prefer <see cref="Acquire"/> when the bytes go to native code.
    /// </summary>
    internal Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsClosed, this);
            return new Span<byte>((void*)handle, Length);
        }
    }

    /// <summary>
    /// Takes a reference on the handle for as long as the returned lease lives, so that neither a
    /// concurrent <see cref="IDisposable.Dispose"/> nor the finalizer (the owner may become unreachable
    /// while native code still reads the bytes) can zero and free the memory under the caller: the
    /// memory is released when the last lease ends. Throws <see cref="ObjectDisposedException"/> once disposed.
    /// Use it whenever the bytes are handed to native code or outlive one expression.
    /// </summary>
    internal Lease Acquire()
    {
        bool added = false;
        DangerousAddRef(ref added);
        return new Lease(this, new Span<byte>((void*)handle, Length));
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

    /// <summary>A counted reference to the secret bytes; dispose it (with <c>using</c>) to release the reference.</summary>
    internal readonly ref struct Lease
    {
        private readonly SecretBuffer _owner;

        internal Lease(SecretBuffer owner, Span<byte> span)
        {
            _owner = owner;
            Span = span;
        }

        /// <summary>The secret bytes, valid until this lease is disposed.</summary>
        internal Span<byte> Span { get; }

        /// <summary>Releases the reference taken by <see cref="Acquire"/>.</summary>
        public void Dispose() => _owner.DangerousRelease();
    }
}
