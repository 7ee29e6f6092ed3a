using System.Security.Cryptography;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Session;

namespace Privomega.Protocol.Tests.Session;

public sealed class SessionTests
{
    private const int Seed = 160;

    [Fact]
    public void Both_sides_derive_the_same_keys_and_mirrored_mailbox_chains()
    {
        using var alice = X25519KeyPair.Generate();
        using var bob = X25519KeyPair.Generate();
        using var a = SessionKeys.Derive(alice, bob.PublicKey, SessionRole.Initiator, 42);
        using var b = SessionKeys.Derive(bob, alice.PublicKey, SessionRole.Responder, 42);
        Assert.True(a.MessageKey.SequenceEqual(b.MessageKey));
        Assert.Equal(alice.PublicKey, a.InitiatorKey);
        Assert.Equal(alice.PublicKey, b.InitiatorKey);
        Assert.Equal(bob.PublicKey, b.ResponderKey);
        Assert.Equal([.. alice.PublicKey.Export(), .. bob.PublicKey.Export()], a.AssociatedData());
        Assert.Equal(a.AssociatedData(), b.AssociatedData());

        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (ulong k = 0; k < 50; k++)
        {
            Assert.Equal(a.SendChain.MailboxId(k), b.ReceiveChain.MailboxId(k));
            Assert.Equal(b.SendChain.MailboxId(k), a.ReceiveChain.MailboxId(k));
            Assert.True(ids.Add(Convert.ToHexString(a.SendChain.MailboxId(k))), $"repeat at {k}");
            Assert.True(ids.Add(Convert.ToHexString(b.SendChain.MailboxId(k))), $"repeat at {k}");
        }

        Assert.False(a.MessageKey.SequenceEqual(a.SendChain.MailboxId(0)));
        Assert.Throws<ArgumentException>(() => a.SendChain.MailboxId(0, new byte[31]));
    }

    [Fact]
    public void Key_schedule_matches_its_written_definition()
    {
        // sid_a ‖ sid_b ‖ k_e = HKDF-SHA256(ss, salt "", "privomega/v1/session" ‖ pk_a ‖ pk_b ‖ u64 t).
        var rng = new Random(Seed);
        using var alice = X25519KeyPair.Import(Bytes(rng, 32));
        using var bob = X25519KeyPair.Import(Bytes(rng, 32));
        var ss = new byte[32];
        alice.Agree(bob.PublicKey, ss);
        byte[] info = [.. "privomega/v1/session"u8, .. alice.PublicKey.Export(), .. bob.PublicKey.Export(), 0, 0, 0, 0, 0, 0, 1, 2];
        var okm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ss, 96, [], info);
        using var keys = SessionKeys.Derive(bob, alice.PublicKey, SessionRole.Responder, 0x0102);
        Assert.True(keys.MessageKey.SequenceEqual(okm.AsSpan(64)));
        var mailbox3 = HKDF.Expand(HashAlgorithmName.SHA256, okm[..32], 32, [.. "mailbox"u8, 0, 0, 0, 0, 0, 0, 0, 3]);
        Assert.Equal(mailbox3, keys.ReceiveChain.MailboxId(3));
        var bobMailbox0 = HKDF.Expand(HashAlgorithmName.SHA256, okm[32..64], 32, [.. "mailbox"u8, 0, 0, 0, 0, 0, 0, 0, 0]);
        Assert.Equal(bobMailbox0, keys.SendChain.MailboxId(0));
    }

    [Fact]
    public void Epoch_role_and_keys_separate_sessions()
    {
        using var alice = X25519KeyPair.Generate();
        using var bob = X25519KeyPair.Generate();
        using var t1 = SessionKeys.Derive(alice, bob.PublicKey, SessionRole.Initiator, 1);
        using var t2 = SessionKeys.Derive(alice, bob.PublicKey, SessionRole.Initiator, 2);
        using var swapped = SessionKeys.Derive(alice, bob.PublicKey, SessionRole.Responder, 1);
        Assert.False(t1.MessageKey.SequenceEqual(t2.MessageKey));
        Assert.False(t1.MessageKey.SequenceEqual(swapped.MessageKey));
        Assert.NotEqual(t1.SendChain.MailboxId(0), t2.SendChain.MailboxId(0));

        // A small-order peer key yields the all-zero secret and no session.
        Assert.False(SessionKeys.TryDerive(alice, X25519PublicKey.Import(new byte[32]), SessionRole.Initiator, 1, out _));
        Assert.Throws<CryptographicException>(() => SessionKeys.Derive(alice, X25519PublicKey.Import(new byte[32]), SessionRole.Initiator, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => SessionKeys.Derive(alice, bob.PublicKey, (SessionRole)0, 1));

        t1.Dispose();
        Assert.Throws<ObjectDisposedException>(() => t1.SendChain.MailboxId(0));
    }

    [Fact]
    public void Chat_messages_round_trip_in_both_directions_and_pad_to_160_byte_classes()
    {
        using var pair = Pair.Create();
        var rng = new Random(Seed);
        foreach (var length in new[] { 0, 1, 157, 158, 159, 160, 317, 318, 319, 1000, ChatMessage.MaxMessageLength })
        {
            var text = Bytes(rng, length);
            var fromAlice = ChatMessage.Seal(pair.Alice, (ulong)length, text).Encode();
            var padded = ChatMessage.PaddedLength(length);
            Assert.Equal(0, padded % ChatMessage.BlockSize);
            Assert.True(padded >= length + 2 && padded - (length + 2) < ChatMessage.BlockSize, $"length {length}");
            Assert.Equal(1 + 24 + padded + 16, fromAlice.Length);
            Assert.True(ChatMessage.Decode(fromAlice).TryOpen(pair.Bob, (ulong)length, out var opened));
            Assert.Equal(text, opened);

            var fromBob = ChatMessage.Seal(pair.Bob, 7, text).Encode();
            Assert.True(ChatMessage.Decode(fromBob).TryOpen(pair.Alice, 7, out opened));
            Assert.Equal(text, opened);
        }

        // Lengths reveal only the size class.
        Assert.Equal(ChatMessage.Seal(pair.Alice, 0, new byte[1]).EncodedLength, ChatMessage.Seal(pair.Alice, 0, new byte[158]).EncodedLength);
        Assert.NotEqual(ChatMessage.Seal(pair.Alice, 0, new byte[158]).EncodedLength, ChatMessage.Seal(pair.Alice, 0, new byte[159]).EncodedLength);
        Assert.Throws<ArgumentException>(() => ChatMessage.Seal(pair.Alice, 0, new byte[ChatMessage.MaxMessageLength + 1]));
    }

    [Fact]
    public void Wrong_direction_index_or_session_is_rejected()
    {
        using var pair = Pair.Create();
        using var other = Pair.Create();
        var message = ChatMessage.Seal(pair.Alice, 3, "hello"u8);
        Assert.True(message.TryOpen(pair.Bob, 3, out _));
        Assert.False(message.TryOpen(pair.Alice, 3, out _));
        Assert.False(message.TryOpen(pair.Bob, 4, out _));
        Assert.False(message.TryOpen(other.Bob, 3, out _));

        // The same key pairs in another epoch are another session.
        using var laterBob = SessionKeys.Derive(pair.BobKeys, pair.AliceKeys.PublicKey, SessionRole.Responder, pair.Bob.Epoch + 1);
        Assert.False(message.TryOpen(laterBob, 3, out _));
    }

    [Fact]
    public void Every_flipped_bit_and_every_malformed_encoding_is_rejected()
    {
        using var pair = Pair.Create();
        var encoded = ChatMessage.Seal(pair.Alice, 1, "a short message"u8).Encode();
        for (var bit = 0; bit < encoded.Length * 8; bit++)
        {
            var flipped = Tests.Formats.FormatAssert.Flip(encoded, bit);
            Assert.False(ChatMessage.TryDecode(flipped, out var m, out _) && m.TryOpen(pair.Bob, 1, out _), $"bit {bit}");
        }

        // Every truncation: a typed error, or (cut at a block boundary) a well-formed message whose tag fails.
        var twoBlocks = ChatMessage.Seal(pair.Alice, 1, new byte[200]).Encode();
        Assert.Equal(1 + 24 + 320 + 16, twoBlocks.Length);
        for (var length = 0; length < twoBlocks.Length; length++)
        {
            var truncated = twoBlocks.AsSpan(0, length).ToArray();
            if (ChatMessage.TryDecode(truncated, out var m, out var error))
            {
                Assert.Equal(1 + 24 + 160 + 16, length);
                Assert.False(m.TryOpen(pair.Bob, 1, out _));
            }
            else
            {
                Assert.True(error.Status is ProtocolDecodeStatus.Truncated or ProtocolDecodeStatus.BadValue, $"length {length}: {error}");
                Assert.Equal(error, Assert.Throws<ProtocolFormatException>(() => ChatMessage.Decode(truncated)).Error);
            }
        }

        Assert.False(ChatMessage.TryDecode([.. twoBlocks, 0], out _, out var extra));
        Assert.Equal(ProtocolDecodeStatus.BadValue, extra.Status);
        Assert.False(ChatMessage.TryDecode([.. twoBlocks, .. new byte[160]], out var longer, out _) && longer.TryOpen(pair.Bob, 1, out _));
        Assert.False(ChatMessage.TryDecode(new byte[ChatMessage.MaxEncodedLength + 160], out _, out var oversized));
        Assert.Equal(new ProtocolDecodeError(ProtocolDecodeStatus.Oversized, "chat_message", ChatMessage.MaxEncodedLength + 160, ChatMessage.MaxEncodedLength), oversized);
        var wrongVersion = (byte[])twoBlocks.Clone();
        wrongVersion[0] = 0;
        Assert.False(ChatMessage.TryDecode(wrongVersion, out _, out var versionError));
        Assert.Equal(new ProtocolDecodeError(ProtocolDecodeStatus.WrongVersion, "version", 0, 1), versionError);
        Assert.Equal(twoBlocks, ChatMessage.Decode(twoBlocks).Encode());
    }

    [Fact]
    public void Non_canonical_padding_is_rejected_even_under_a_valid_tag()
    {
        // Build ciphertexts with the real key and AD but bad padded plaintexts, as a buggy or hostile peer would.
        using var pair = Pair.Create();
        byte[] ad = [.. "privomega/v1/chat"u8, 1, .. pair.AliceKeys.PublicKey.Export(), .. pair.BobKeys.PublicKey.Export(), 1, 0, 0, 0, 0, 0, 0, 0, 9];
        var key = pair.Alice.MessageKey.ToArray();
        var good = new byte[160];
        good[1] = 5;
        Assert.True(Open(good));

        var dirty = (byte[])good.Clone();
        dirty[100] = 1;
        Assert.False(Open(dirty));
        var tooLong = (byte[])good.Clone();
        tooLong[0] = 1;
        Assert.False(Open(tooLong));
        var overPadded = new byte[320];
        overPadded[1] = 5;
        Assert.False(Open(overPadded));

        bool Open(byte[] padded)
        {
            var nonce = RandomNumberGenerator.GetBytes(24);
            byte[] encoded = [ChatMessage.CurrentVersion, .. nonce, .. XChaCha20Poly1305.Seal(key, nonce, padded, ad)];
            return ChatMessage.Decode(encoded).TryOpen(pair.Bob, 9, out _);
        }
    }

    private static byte[] Bytes(Random rng, int count)
    {
        var bytes = new byte[count];
        rng.NextBytes(bytes);
        return bytes;
    }

    private sealed class Pair : IDisposable
    {
        private Pair(X25519KeyPair aliceKeys, X25519KeyPair bobKeys)
        {
            AliceKeys = aliceKeys;
            BobKeys = bobKeys;
            Alice = SessionKeys.Derive(aliceKeys, bobKeys.PublicKey, SessionRole.Initiator, 11);
            Bob = SessionKeys.Derive(bobKeys, aliceKeys.PublicKey, SessionRole.Responder, 11);
        }

        public X25519KeyPair AliceKeys { get; }

        public X25519KeyPair BobKeys { get; }

        public SessionKeys Alice { get; }

        public SessionKeys Bob { get; }

        public static Pair Create() => new(X25519KeyPair.Generate(), X25519KeyPair.Generate());

        public void Dispose()
        {
            Alice.Dispose();
            Bob.Dispose();
            AliceKeys.Dispose();
            BobKeys.Dispose();
        }
    }
}
