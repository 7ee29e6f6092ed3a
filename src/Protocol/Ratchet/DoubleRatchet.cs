using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Privomega.Pir.Engine;
using Privomega.Protocol.Interop;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Ratchet;

/// <summary>Limits on the message keys a receiver computes ahead and keeps for late messages.</summary>
public sealed record RatchetOptions
{
    /// <summary>MAX_SKIP: most messages one header may skip in a chain; more is refused (a forged header must not cost unbounded work).</summary>
    public uint MaxSkip { get; init; } = 1000;

    /// <summary>Most skipped message keys kept in total; the oldest are erased first.</summary>
    public uint MaxStoredSkipped { get; init; } = 2000;

    internal void Validate()
    {
        if (MaxSkip is 0 or > 1_000_000)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(MaxSkip), MaxSkip, "1..1000000");
        }

        if (MaxStoredSkipped < MaxSkip || MaxStoredSkipped > 1_000_000)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(MaxStoredSkipped), MaxStoredSkipped, $"MaxSkip ({MaxSkip})..1000000");
        }
    }
}

public enum RatchetDecryptStatus
{
    Ok = 0,

    /// <summary>The message does not decode (see the <see cref="PirDecodeError"/>).</summary>
    Malformed,

    /// <summary>The header would skip more than MAX_SKIP message keys.</summary>
    TooManySkipped,

    /// <summary>The message's key was already used or erased (a replay, or older than what is kept).</summary>
    MessageKeyGone,

    /// <summary>The AEAD tag, header or associated data does not verify.</summary>
    AuthenticationFailed,
}

/// <summary>
/// The Double Ratchet (Signal specification, revision 1): an X25519 DH ratchet, KDF_RK = HKDF-SHA256,
/// KDF_CK = HMAC-SHA256 chains, ChaCha20-Poly1305 per message (see <see cref="RatchetKdf"/>), the
/// header bound into the associated data, and a MAX_SKIP bound. A failed decryption leaves the
/// state exactly as it was: all work happens on staged copies that are committed only after the
/// tag verifies. Every root, chain, message and private key lives in zero-on-dispose memory and is
/// erased as soon as it is replaced or used. Not thread-safe: the caller serialises the sends and
/// receives of one conversation.
/// </summary>
public sealed class DoubleRatchet : IDisposable
{
    public const byte StateVersion = 1;
    public const int TagSize = ChaCha20Poly1305Ietf.TagSize;

    private const int K = RatchetKdf.KeySize;
    private const int SkippedEntrySize = 32 + 4 + 32;
    private const int FixedStateSize = 2 + (5 * K) + (6 * 4);

    private readonly RatchetOptions _options;
    private readonly Dictionary<SkippedId, SecretBuffer> _skipped = [];
    private readonly LinkedList<SkippedId> _skippedOrder = new();
    private X25519KeyPair _dhSelf;
    private byte[]? _dhRemote;
    private SecretBuffer _rootKey;
    private SecretBuffer? _sendChain;
    private SecretBuffer? _receiveChain;
    private uint _sendCount;
    private uint _receiveCount;
    private uint _previousSendCount;
    private bool _disposed;

    private DoubleRatchet(RatchetOptions options, X25519KeyPair dhSelf, SecretBuffer rootKey)
    {
        _options = options;
        _dhSelf = dhSelf;
        _rootKey = rootKey;
    }

    /// <summary>Our current ratchet public key (what the peer's next DH step uses).</summary>
    public X25519PublicKey RatchetPublicKey => _dhSelf.PublicKey;

    /// <summary>Skipped message keys currently stored.</summary>
    public int StoredSkippedKeys => _skipped.Count;

    /// <summary>
    /// RatchetInitAlice: the initiator knows the shared secret SK (e.g. the session's k_e) and the
    /// responder's ratchet public key, and can send at once.
    /// </summary>
    public static DoubleRatchet InitializeInitiator(ReadOnlySpan<byte> sharedSecret, X25519PublicKey responderRatchetKey, RatchetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(responderRatchetKey);
        options = Validated(options, sharedSecret);
        Span<byte> dh = stackalloc byte[K];
        X25519KeyPair self = X25519KeyPair.Generate();
        if (!self.TryAgree(responderRatchetKey, dh))
        {
            self.Dispose();
            ProtocolThrow.InvalidKey(nameof(responderRatchetKey), "X25519 ratchet public key (small-order point)");
        }

        var root = new SecretBuffer(K);
        var send = new SecretBuffer(K);
        RatchetKdf.Root(sharedSecret, dh, root.Span, send.Span);
        CryptographicOperations.ZeroMemory(dh);
        return new DoubleRatchet(options, self, root) { _dhRemote = responderRatchetKey.Export(), _sendChain = send };
    }

    /// <summary>
    /// RatchetInitBob: the responder starts with SK and the ratchet key pair whose public half the
    /// initiator used; it can send only after the first message arrives. The private key is copied.
    /// </summary>
    public static DoubleRatchet InitializeResponder(ReadOnlySpan<byte> sharedSecret, X25519KeyPair responderRatchetKeyPair, RatchetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(responderRatchetKeyPair);
        options = Validated(options, sharedSecret);
        return new DoubleRatchet(options, Copy(responderRatchetKeyPair), SecretBuffer.CopyFrom(sharedSecret));
    }

    /// <summary>Size of <see cref="Encrypt(ReadOnlySpan{byte}, ReadOnlySpan{byte}, Span{byte})"/>'s output for a plaintext.</summary>
    public static int CiphertextSize(int plaintextLength) => RatchetHeader.Size + plaintextLength + TagSize;

    /// <summary>True once this side has a sending chain (the responder gets one with the first message it receives).</summary>
    public bool CanSend => !_disposed && _sendChain is not null;

    /// <summary>RatchetEncrypt: header ‖ AEAD(mk, plaintext, AD ‖ header).</summary>
    public void Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData, Span<byte> message)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_sendChain is null)
        {
            ProtocolThrow.Argument(nameof(plaintext), "This side has no sending chain yet: the responder must receive a message first.");
        }

        if (message.Length != CiphertextSize(plaintext.Length))
        {
            ProtocolThrow.ArgumentLength(nameof(message), message.Length, CiphertextSize(plaintext.Length));
        }

        if (_sendCount == uint.MaxValue)
        {
            ProtocolThrow.Cryptographic("Ratchet encryption (sending chain exhausted)");
        }

        Span<byte> messageKey = stackalloc byte[K];
        RatchetKdf.Chain(_sendChain.Span, messageKey);
        var header = new RatchetHeader(_dhSelf.PublicKey.Export(), _previousSendCount, _sendCount);
        header.Encode(message);
        _sendCount++;
        Seal(messageKey, associatedData, message[..RatchetHeader.Size], plaintext, message[RatchetHeader.Size..]);
        CryptographicOperations.ZeroMemory(messageKey);
    }

    public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        byte[] message = new byte[CiphertextSize(plaintext.Length)];
        Encrypt(plaintext, associatedData, message);
        return message;
    }

    /// <summary>RatchetDecrypt. On any failure the state is unchanged and <paramref name="plaintext"/> is null.</summary>
    public RatchetDecryptStatus TryDecrypt(ReadOnlySpan<byte> message, ReadOnlySpan<byte> associatedData, out byte[]? plaintext, out PirDecodeError error)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        plaintext = null;
        if (!RatchetHeader.TryDecode(message, out RatchetHeader header, out error))
        {
            return RatchetDecryptStatus.Malformed;
        }

        ReadOnlySpan<byte> encodedHeader = message[..RatchetHeader.Size];
        ReadOnlySpan<byte> ciphertext = message[RatchetHeader.Size..];
        ReadOnlySpan<byte> remoteKey = header.RatchetKey.Span;
        byte[] output = new byte[ciphertext.Length - TagSize];

        // TrySkippedMessageKeys: a key computed earlier for exactly this (ratchet key, n).
        var id = new SkippedId(remoteKey, header.MessageNumber);
        if (_skipped.TryGetValue(id, out SecretBuffer? skippedKey))
        {
            if (!Open(skippedKey.Span, associatedData, encodedHeader, ciphertext, output))
            {
                return RatchetDecryptStatus.AuthenticationFailed;
            }

            _skipped.Remove(id);
            _skippedOrder.Remove(id);
            skippedKey.Dispose();
            plaintext = output;
            return RatchetDecryptStatus.Ok;
        }

        bool newChain = _dhRemote is null || !remoteKey.SequenceEqual(_dhRemote);
        if (!newChain && header.MessageNumber < _receiveCount)
        {
            return RatchetDecryptStatus.MessageKeyGone;
        }

        var staged = new List<(SkippedId Id, SecretBuffer Key)>();
        Span<byte> root = stackalloc byte[K];
        Span<byte> receive = stackalloc byte[K];
        Span<byte> send = stackalloc byte[K];
        Span<byte> messageKey = stackalloc byte[K];
        X25519KeyPair? newSelf = null;
        bool committed = false;
        try
        {
            _rootKey.Span.CopyTo(root);
            uint receiveCount = _receiveCount;
            bool haveReceiveChain = _receiveChain is not null;
            if (haveReceiveChain)
            {
                _receiveChain!.Span.CopyTo(receive);
            }

            if (newChain)
            {
                // Keys left in the current receiving chain up to PN stay usable for late messages.
                if (haveReceiveChain
                    && !StageSkipped(receive, ref receiveCount, header.PreviousChainLength, _dhRemote!, staged))
                {
                    return RatchetDecryptStatus.TooManySkipped;
                }

                // DHRatchet: new receiving chain from DH(ours, theirs), then a fresh key pair and a new sending chain.
                if (!X25519PublicKey.TryImport(remoteKey, out X25519PublicKey? remote))
                {
                    return RatchetDecryptStatus.AuthenticationFailed;
                }

                Span<byte> dh = stackalloc byte[K];
                if (!_dhSelf.TryAgree(remote, dh))
                {
                    return RatchetDecryptStatus.AuthenticationFailed;
                }

                RatchetKdf.Root(root, dh, root, receive);
                newSelf = X25519KeyPair.Generate();
                bool agreed = newSelf.TryAgree(remote, dh);
                RatchetKdf.Root(root, dh, root, send);
                CryptographicOperations.ZeroMemory(dh);
                if (!agreed)
                {
                    return RatchetDecryptStatus.AuthenticationFailed;
                }

                receiveCount = 0;
            }

            if (!StageSkipped(receive, ref receiveCount, header.MessageNumber, remoteKey, staged))
            {
                return RatchetDecryptStatus.TooManySkipped;
            }

            RatchetKdf.Chain(receive, messageKey);
            if (!Open(messageKey, associatedData, encodedHeader, ciphertext, output))
            {
                return RatchetDecryptStatus.AuthenticationFailed;
            }

            // Commit: nothing below can fail.
            foreach ((SkippedId skippedId, SecretBuffer key) in staged)
            {
                StoreSkipped(skippedId, key);
            }

            staged.Clear();
            if (newChain)
            {
                _previousSendCount = _sendCount;
                _sendCount = 0;
                _dhRemote = remoteKey.ToArray();
                _dhSelf.Dispose();
                _dhSelf = newSelf!;
                newSelf = null;
                _sendChain ??= new SecretBuffer(K);
                send.CopyTo(_sendChain.Span);
            }

            root.CopyTo(_rootKey.Span);
            _receiveChain ??= new SecretBuffer(K);
            receive.CopyTo(_receiveChain.Span);
            _receiveCount = receiveCount + 1;
            committed = true;
            plaintext = output;
            return RatchetDecryptStatus.Ok;
        }
        finally
        {
            foreach ((_, SecretBuffer key) in staged)
            {
                key.Dispose();
            }

            newSelf?.Dispose();
            CryptographicOperations.ZeroMemory(root);
            CryptographicOperations.ZeroMemory(receive);
            CryptographicOperations.ZeroMemory(send);
            CryptographicOperations.ZeroMemory(messageKey);
            if (!committed)
            {
                CryptographicOperations.ZeroMemory(output);
            }
        }
    }

    /// <summary>Bytes of <see cref="Serialize(Span{byte})"/>'s output.</summary>
    public int SerializedSize => FixedStateSize + (_skipped.Count * SkippedEntrySize);

    /// <summary>
    /// Writes the whole state (it is secret: the caller stores it encrypted and erases the buffer):
    /// <c>version ‖ flags ‖ DHs private ‖ DHr ‖ RK ‖ CKs ‖ CKr ‖ Ns ‖ Nr ‖ PN ‖ MAX_SKIP ‖ max stored ‖ count ‖ (DHr ‖ n ‖ mk)*</c>.
    /// </summary>
    public void Serialize(Span<byte> destination)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (destination.Length != SerializedSize)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, SerializedSize);
        }

        destination.Clear();
        destination[0] = StateVersion;
        destination[1] = (byte)((_dhRemote is null ? 0 : 1) | (_sendChain is null ? 0 : 2) | (_receiveChain is null ? 0 : 4));
        int offset = 2;
        _dhSelf.Export(destination.Slice(offset, K));
        offset += K;
        _dhRemote?.CopyTo(destination[offset..]);
        offset += K;
        _rootKey.Span.CopyTo(destination[offset..]);
        offset += K;
        _sendChain?.Span.CopyTo(destination[offset..]);
        offset += K;
        _receiveChain?.Span.CopyTo(destination[offset..]);
        offset += K;
        foreach (uint value in (ReadOnlySpan<uint>)[_sendCount, _receiveCount, _previousSendCount, _options.MaxSkip, _options.MaxStoredSkipped, (uint)_skipped.Count])
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination[offset..], value);
            offset += 4;
        }

        foreach (SkippedId skippedId in _skippedOrder)
        {
            skippedId.WriteKey(destination.Slice(offset, 32));
            BinaryPrimitives.WriteUInt32BigEndian(destination[(offset + 32)..], skippedId.MessageNumber);
            _skipped[skippedId].Span.CopyTo(destination[(offset + 36)..]);
            offset += SkippedEntrySize;
        }
    }

    public byte[] Serialize()
    {
        byte[] state = new byte[SerializedSize];
        Serialize(state);
        return state;
    }

    /// <summary>Restores a state written by <see cref="Serialize(Span{byte})"/>; false with a typed error on malformed bytes.</summary>
    public static bool TryDeserialize(ReadOnlySpan<byte> state, [NotNullWhen(true)] out DoubleRatchet? ratchet, out PirDecodeError error)
    {
        ratchet = null;
        if (state.Length < FixedStateSize)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "ratchet state", state.Length, FixedStateSize);
            return false;
        }

        if (state[0] != StateVersion)
        {
            error = new PirDecodeError(PirDecodeStatus.WrongVersion, "ratchet state version", state[0], StateVersion);
            return false;
        }

        // Flags: 1 = remote ratchet key, 2 = sending chain, 4 = receiving chain. Only a fresh responder (0),
        // an initiator before its first reply (3) and a running session (7) exist.
        byte flags = state[1];
        if (flags is not (0 or 3 or 7))
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "ratchet state flags", flags, 7);
            return false;
        }

        var options = new RatchetOptions { MaxSkip = ReadCounter(state, 3), MaxStoredSkipped = ReadCounter(state, 4) };
        uint count = ReadCounter(state, 5);
        if (options.MaxSkip is 0 or > 1_000_000 || options.MaxStoredSkipped < options.MaxSkip || options.MaxStoredSkipped > 1_000_000 || count > options.MaxStoredSkipped)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "ratchet state limits", count, options.MaxStoredSkipped);
            return false;
        }

        long expected = FixedStateSize + ((long)count * SkippedEntrySize);
        if (state.Length != expected)
        {
            error = new PirDecodeError(state.Length < expected ? PirDecodeStatus.Truncated : PirDecodeStatus.Oversized, "ratchet state", state.Length, expected);
            return false;
        }

        var result = new DoubleRatchet(options, X25519KeyPair.Import(StateField(state, 0)), SecretBuffer.CopyFrom(StateField(state, 2)))
        {
            _dhRemote = (flags & 1) != 0 ? StateField(state, 1).ToArray() : null,
            _sendChain = (flags & 2) != 0 ? SecretBuffer.CopyFrom(StateField(state, 3)) : null,
            _receiveChain = (flags & 4) != 0 ? SecretBuffer.CopyFrom(StateField(state, 4)) : null,
            _sendCount = ReadCounter(state, 0),
            _receiveCount = ReadCounter(state, 1),
            _previousSendCount = ReadCounter(state, 2),
        };

        int offset = FixedStateSize;
        for (uint i = 0; i < count; i++, offset += SkippedEntrySize)
        {
            var skippedId = new SkippedId(state.Slice(offset, 32), BinaryPrimitives.ReadUInt32BigEndian(state[(offset + 32)..]));
            if (result._skipped.ContainsKey(skippedId))
            {
                result.Dispose();
                error = new PirDecodeError(PirDecodeStatus.BadValue, "ratchet state skipped key (duplicate)", i, count);
                return false;
            }

            result.StoreSkipped(skippedId, SecretBuffer.CopyFrom(state.Slice(offset + 36, K)));
        }

        ratchet = result;
        error = PirDecodeError.None;
        return true;
    }

    /// <summary>Erases every key. A disposed ratchet refuses all operations.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _dhSelf.Dispose();
        _rootKey.Dispose();
        _sendChain?.Dispose();
        _receiveChain?.Dispose();
        foreach (SecretBuffer key in _skipped.Values)
        {
            key.Dispose();
        }

        _skipped.Clear();
        _skippedOrder.Clear();
    }

    private static ReadOnlySpan<byte> StateField(ReadOnlySpan<byte> state, int index) => state.Slice(2 + (index * K), K);

    private static uint ReadCounter(ReadOnlySpan<byte> state, int index) => BinaryPrimitives.ReadUInt32BigEndian(state[(2 + (5 * K) + (4 * index))..]);

    private static RatchetOptions Validated(RatchetOptions? options, ReadOnlySpan<byte> sharedSecret)
    {
        if (sharedSecret.Length != K)
        {
            ProtocolThrow.ArgumentLength(nameof(sharedSecret), sharedSecret.Length, K);
        }

        options ??= new RatchetOptions();
        options.Validate();
        return options;
    }

    private static X25519KeyPair Copy(X25519KeyPair keyPair)
    {
        Span<byte> secret = stackalloc byte[K];
        keyPair.Export(secret);
        try
        {
            return X25519KeyPair.Import(secret);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>SkipMessageKeys on a staged chain: computes keys for numbers [count, until) into <paramref name="staged"/>.</summary>
    private bool StageSkipped(Span<byte> chain, ref uint count, uint until, ReadOnlySpan<byte> remoteKey, List<(SkippedId, SecretBuffer)> staged)
    {
        if (until <= count)
        {
            return true;
        }

        if ((ulong)count + _options.MaxSkip < until)
        {
            return false;
        }

        for (; count < until; count++)
        {
            var key = new SecretBuffer(K);
            RatchetKdf.Chain(chain, key.Span);
            staged.Add((new SkippedId(remoteKey, count), key));
        }

        return true;
    }

    private void StoreSkipped(SkippedId id, SecretBuffer key)
    {
        _skipped.Add(id, key);
        _skippedOrder.AddLast(id);
        while (_skipped.Count > _options.MaxStoredSkipped)
        {
            SkippedId oldest = _skippedOrder.First!.Value;
            _skippedOrder.RemoveFirst();
            _skipped.Remove(oldest, out SecretBuffer? evicted);
            evicted!.Dispose();
        }
    }

    private static void Seal(ReadOnlySpan<byte> messageKey, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> encodedHeader, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext)
    {
        Span<byte> keyAndNonce = stackalloc byte[ChaCha20Poly1305Ietf.KeySize + ChaCha20Poly1305Ietf.NonceSize];
        RatchetKdf.MessageAead(messageKey, keyAndNonce);
        byte[] ad = [.. associatedData, .. encodedHeader];
        ChaCha20Poly1305Ietf.Seal(keyAndNonce[..ChaCha20Poly1305Ietf.KeySize], keyAndNonce[ChaCha20Poly1305Ietf.KeySize..], plaintext, ad, ciphertext);
        CryptographicOperations.ZeroMemory(keyAndNonce);
    }

    private static bool Open(ReadOnlySpan<byte> messageKey, ReadOnlySpan<byte> associatedData, ReadOnlySpan<byte> encodedHeader, ReadOnlySpan<byte> ciphertext, Span<byte> plaintext)
    {
        Span<byte> keyAndNonce = stackalloc byte[ChaCha20Poly1305Ietf.KeySize + ChaCha20Poly1305Ietf.NonceSize];
        RatchetKdf.MessageAead(messageKey, keyAndNonce);
        byte[] ad = [.. associatedData, .. encodedHeader];
        bool ok = ChaCha20Poly1305Ietf.TryOpen(keyAndNonce[..ChaCha20Poly1305Ietf.KeySize], keyAndNonce[ChaCha20Poly1305Ietf.KeySize..], ciphertext, ad, plaintext);
        CryptographicOperations.ZeroMemory(keyAndNonce);
        return ok;
    }

    /// <summary>(ratchet public key, message number): names a skipped message key.</summary>
    private readonly struct SkippedId : IEquatable<SkippedId>
    {
        private readonly UInt128 _low;
        private readonly UInt128 _high;

        public SkippedId(ReadOnlySpan<byte> ratchetKey, uint messageNumber)
        {
            _low = BinaryPrimitives.ReadUInt128LittleEndian(ratchetKey);
            _high = BinaryPrimitives.ReadUInt128LittleEndian(ratchetKey[16..]);
            MessageNumber = messageNumber;
        }

        public uint MessageNumber { get; }

        public void WriteKey(Span<byte> destination)
        {
            BinaryPrimitives.WriteUInt128LittleEndian(destination, _low);
            BinaryPrimitives.WriteUInt128LittleEndian(destination[16..], _high);
        }

        public bool Equals(SkippedId other) => _low == other._low && _high == other._high && MessageNumber == other.MessageNumber;

        public override bool Equals(object? obj) => obj is SkippedId other && Equals(other);

        public override int GetHashCode() => HashCode.Combine(_low, _high, MessageNumber);
    }
}
