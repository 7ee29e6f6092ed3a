using System.Security.Cryptography;
using System.Text;
using Privomega.Pir.Engine;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Ratchet;

namespace Privomega.Protocol.Tests.Ratchet;

public class DoubleRatchetTests
{
    private static readonly byte[] Ad = Encoding.ASCII.GetBytes("pk_a || pk_b");

    private static (DoubleRatchet Alice, DoubleRatchet Bob) NewSession(RatchetOptions? options = null)
    {
        byte[] sk = RandomNumberGenerator.GetBytes(32);
        using X25519KeyPair bobRatchet = X25519KeyPair.Generate();
        return (DoubleRatchet.InitializeInitiator(sk, bobRatchet.PublicKey, options), DoubleRatchet.InitializeResponder(sk, bobRatchet, options));
    }

    private static byte[] Text(string s) => Encoding.UTF8.GetBytes(s);

    private static string Open(DoubleRatchet receiver, byte[] message)
    {
        RatchetDecryptStatus status = receiver.TryDecrypt(message, Ad, out byte[]? plaintext, out PirDecodeError error);
        Assert.True(status == RatchetDecryptStatus.Ok, $"{status} {error}");
        return Encoding.UTF8.GetString(plaintext!);
    }

    private static RatchetDecryptStatus Fail(DoubleRatchet receiver, byte[] message, byte[]? ad = null)
    {
        byte[] before = receiver.Serialize();
        RatchetDecryptStatus status = receiver.TryDecrypt(message, ad ?? Ad, out byte[]? plaintext, out _);
        Assert.NotEqual(RatchetDecryptStatus.Ok, status);
        Assert.Null(plaintext);
        Assert.Equal(before, receiver.Serialize());  // a failed decryption leaves no trace in the state
        return status;
    }

    [Fact]
    public void In_order_conversation_with_many_turns()
    {
        (DoubleRatchet alice, DoubleRatchet bob) = NewSession();
        using (alice)
        using (bob)
        {
            Assert.False(bob.CanSend);
            Assert.Throws<ArgumentException>(() => bob.Encrypt(Text("too early"), Ad));
            for (int turn = 0; turn < 6; turn++)
            {
                for (int i = 0; i < turn + 1; i++)
                {
                    Assert.Equal($"a{turn}.{i}", Open(bob, alice.Encrypt(Text($"a{turn}.{i}"), Ad)));
                }

                X25519PublicKey before = bob.RatchetPublicKey;
                for (int i = 0; i < 2; i++)
                {
                    Assert.Equal($"b{turn}.{i}", Open(alice, bob.Encrypt(Text($"b{turn}.{i}"), Ad)));
                }

                Assert.Equal(before, bob.RatchetPublicKey);
            }

            Assert.Equal(0, alice.StoredSkippedKeys);
            Assert.Equal(0, bob.StoredSkippedKeys);
            Assert.Equal("", Open(bob, alice.Encrypt([], Ad)));
        }
    }

    [Fact]
    public void Out_of_order_within_and_across_ratchet_steps()
    {
        (DoubleRatchet alice, DoubleRatchet bob) = NewSession();
        using (alice)
        using (bob)
        {
            byte[][] first = Enumerable.Range(0, 5).Select(i => alice.Encrypt(Text($"m{i}"), Ad)).ToArray();
            foreach (int i in new[] { 4, 1, 0, 3 })
            {
                Assert.Equal($"m{i}", Open(bob, first[i]));
            }

            Assert.Equal(1, bob.StoredSkippedKeys);

            // Bob answers, Alice takes a DH step; her new chain arrives before m2 of the old one.
            Assert.Equal("r", Open(alice, bob.Encrypt(Text("r"), Ad)));
            byte[] next0 = alice.Encrypt(Text("n0"), Ad);
            byte[] next1 = alice.Encrypt(Text("n1"), Ad);
            Assert.Equal("n1", Open(bob, next1));
            Assert.Equal("m2", Open(bob, first[2]));
            Assert.Equal("n0", Open(bob, next0));
            Assert.Equal(0, bob.StoredSkippedKeys);
        }
    }

    [Fact]
    public void Lost_messages_do_not_stop_later_ones()
    {
        (DoubleRatchet alice, DoubleRatchet bob) = NewSession();
        using (alice)
        using (bob)
        {
            for (int round = 0; round < 3; round++)
            {
                byte[][] sent = Enumerable.Range(0, 6).Select(i => alice.Encrypt(Text($"{round}.{i}"), Ad)).ToArray();
                Assert.Equal($"{round}.2", Open(bob, sent[2]));
                Assert.Equal($"{round}.5", Open(bob, sent[5]));
                Assert.Equal($"b{round}", Open(alice, bob.Encrypt(Text($"b{round}"), Ad)));
            }

            // 0,1,3,4 of every round were never delivered: their keys wait, bounded.
            Assert.Equal(12, bob.StoredSkippedKeys);
        }
    }

    [Fact]
    public void Tampered_messages_fail_and_leave_the_state_intact()
    {
        (DoubleRatchet alice, DoubleRatchet bob) = NewSession();
        using (alice)
        using (bob)
        {
            Open(bob, alice.Encrypt(Text("hello"), Ad));
            Open(alice, bob.Encrypt(Text("hi"), Ad));
            byte[] skippedOver = alice.Encrypt(Text("later"), Ad);
            byte[] message = alice.Encrypt(Text("secret text"), Ad);
            Open(bob, skippedOver);
            byte[] fresh = bob.Encrypt(Text("bob again"), Ad);  // makes Alice's next message a DH step

            for (int bit = 0; bit < 8 * message.Length; bit += 3)
            {
                byte[] bad = (byte[])message.Clone();
                bad[bit / 8] ^= (byte)(1 << (bit % 8));
                Fail(bob, bad);
            }

            Assert.Equal(RatchetDecryptStatus.AuthenticationFailed, Fail(bob, message, Text("other ad")));
            Assert.Equal(RatchetDecryptStatus.Malformed, Fail(bob, message.AsSpan(0, RatchetHeader.Size + 15).ToArray()));
            Assert.Equal(RatchetDecryptStatus.Malformed, Fail(bob, []));

            // A forged header claiming a new ratchet key (a DH step) is rolled back too.
            byte[] forgedStep = (byte[])message.Clone();
            RandomNumberGenerator.Fill(forgedStep.AsSpan(1, 32));
            Assert.Equal(RatchetDecryptStatus.AuthenticationFailed, Fail(bob, forgedStep));

            Assert.Equal("secret text", Open(bob, message));
            Assert.Equal("bob again", Open(alice, fresh));
            Assert.Equal("after", Open(bob, alice.Encrypt(Text("after"), Ad)));
        }
    }

    [Fact]
    public void Max_skip_is_enforced_without_changing_the_state()
    {
        var options = new RatchetOptions { MaxSkip = 10, MaxStoredSkipped = 15 };
        (DoubleRatchet alice, DoubleRatchet bob) = NewSession(options);
        using (alice)
        using (bob)
        {
            byte[][] sent = Enumerable.Range(0, 12).Select(i => alice.Encrypt(Text($"m{i}"), Ad)).ToArray();
            Assert.Equal(RatchetDecryptStatus.TooManySkipped, Fail(bob, sent[11]));
            Assert.Equal("m10", Open(bob, sent[10]));  // exactly MAX_SKIP skipped keys is allowed
            Assert.Equal(10, bob.StoredSkippedKeys);
            Assert.Equal("m11", Open(bob, sent[11]));

            // A forged message number far ahead costs nothing and changes nothing.
            byte[] forged = alice.Encrypt(Text("x"), Ad);
            forged[37] = 0x7F;
            Assert.Equal(RatchetDecryptStatus.TooManySkipped, Fail(bob, forged));

            // The old chain's PN is checked too: skipping the rest of a chain counts against MAX_SKIP.
            Assert.Equal("r", Open(alice, bob.Encrypt(Text("r"), Ad)));
            byte[][] more = Enumerable.Range(0, 12).Select(i => alice.Encrypt(Text($"k{i}"), Ad)).ToArray();
            Assert.Equal("k10", Open(bob, more[10]));
            Assert.True(bob.StoredSkippedKeys <= 15);

            // Storage is bounded: the oldest skipped keys (m0..) were evicted and are gone. The old
            // chain's ratchet key is no longer the current one, so the message reads as a forged DH step.
            Assert.Equal(RatchetDecryptStatus.AuthenticationFailed, Fail(bob, sent[0]));
            Assert.Equal("m9", Open(bob, sent[9]));
            Assert.Equal("k0", Open(bob, more[0]));
        }
    }

    [Fact]
    public void Forward_secrecy_used_keys_are_gone_and_an_old_state_does_not_heal_back()
    {
        (DoubleRatchet alice, DoubleRatchet bob) = NewSession();
        using (alice)
        using (bob)
        {
            byte[] m0 = alice.Encrypt(Text("m0"), Ad);
            byte[] m1 = alice.Encrypt(Text("m1"), Ad);
            byte[] m2 = alice.Encrypt(Text("m2"), Ad);
            Assert.Equal("m2", Open(bob, m2));
            Assert.Equal("m0", Open(bob, m0));

            // A used key is erased: replays fail, whether the key was a skipped one or the chain's.
            Assert.Equal(RatchetDecryptStatus.MessageKeyGone, Fail(bob, m0));
            Assert.Equal(RatchetDecryptStatus.MessageKeyGone, Fail(bob, m2));

            // Everything an attacker could copy from Bob now cannot open what he already read.
            byte[] snapshot = bob.Serialize();
            Assert.True(DoubleRatchet.TryDeserialize(snapshot, out DoubleRatchet? stolen, out _));
            using (stolen)
            {
                Assert.Equal(RatchetDecryptStatus.MessageKeyGone, Fail(stolen, m0));
                Assert.Equal(RatchetDecryptStatus.MessageKeyGone, Fail(stolen, m2));
                Assert.Equal("m1", Open(stolen, m1));  // only the still-unread m1 is exposed

                // Once Bob has taken a DH step with a fresh private key the thief never saw, and Alice
                // has answered it, the stolen state no longer follows the conversation.
                Assert.Equal("r", Open(alice, bob.Encrypt(Text("r"), Ad)));
                Assert.Equal("a", Open(bob, alice.Encrypt(Text("a"), Ad)));
                Assert.Equal("r2", Open(alice, bob.Encrypt(Text("r2"), Ad)));
                byte[] healed = alice.Encrypt(Text("after healing"), Ad);
                Assert.Equal(RatchetDecryptStatus.AuthenticationFailed, Fail(stolen, healed));
                Assert.Equal("after healing", Open(bob, healed));
            }

            // A deleted state decrypts nothing, later traffic included.
            byte[] later = alice.Encrypt(Text("later"), Ad);
            bob.Dispose();
            Assert.Throws<ObjectDisposedException>(() => bob.TryDecrypt(later, Ad, out _, out _));
            Assert.Throws<ObjectDisposedException>(() => bob.Serialize());
            Assert.Throws<ObjectDisposedException>(() => bob.Encrypt(Text("x"), Ad));
        }
    }

    [Fact]
    public void State_serializes_mid_conversation_and_rejects_malformed_bytes()
    {
        (DoubleRatchet alice, DoubleRatchet bob) = NewSession();
        using (alice)
        using (bob)
        {
            Assert.True(DoubleRatchet.TryDeserialize(bob.Serialize(), out DoubleRatchet? freshBob, out _));
            freshBob.Dispose();

            byte[][] sent = Enumerable.Range(0, 4).Select(i => alice.Encrypt(Text($"m{i}"), Ad)).ToArray();
            Open(bob, sent[3]);
            byte[] aliceState = alice.Serialize();
            byte[] bobState = bob.Serialize();
            Assert.Equal(bob.SerializedSize, bobState.Length);

            Assert.True(DoubleRatchet.TryDeserialize(aliceState, out DoubleRatchet? alice2, out _));
            Assert.True(DoubleRatchet.TryDeserialize(bobState, out DoubleRatchet? bob2, out _));
            using (alice2)
            using (bob2)
            {
                Assert.Equal(bobState, bob2.Serialize());
                Assert.Equal(3, bob2.StoredSkippedKeys);
                Assert.Equal("m1", Open(bob2, sent[1]));
                Assert.Equal("x", Open(bob2, alice2.Encrypt(Text("x"), Ad)));
                Assert.Equal("y", Open(alice2, bob2.Encrypt(Text("y"), Ad)));
            }

            Assert.False(DoubleRatchet.TryDeserialize(bobState.AsSpan(0, bobState.Length - 1), out _, out PirDecodeError error));
            Assert.Equal(PirDecodeStatus.Truncated, error.Status);
            Assert.False(DoubleRatchet.TryDeserialize([.. bobState, 0], out _, out error));
            Assert.Equal(PirDecodeStatus.Oversized, error.Status);
            Assert.False(DoubleRatchet.TryDeserialize(bobState.AsSpan(0, 10), out _, out error));
            Assert.Equal(PirDecodeStatus.Truncated, error.Status);
            byte[] version = (byte[])bobState.Clone();
            version[0] = 2;
            Assert.False(DoubleRatchet.TryDeserialize(version, out _, out error));
            Assert.Equal(PirDecodeStatus.WrongVersion, error.Status);
            byte[] flags = (byte[])bobState.Clone();
            flags[1] = 5;
            Assert.False(DoubleRatchet.TryDeserialize(flags, out _, out error));
            Assert.Equal(PirDecodeStatus.BadValue, error.Status);
            byte[] duplicate = (byte[])bobState.Clone();
            duplicate.AsSpan(duplicate.Length - 68, 68).CopyTo(duplicate.AsSpan(duplicate.Length - 136));
            Assert.False(DoubleRatchet.TryDeserialize(duplicate, out _, out error));
            Assert.Equal(PirDecodeStatus.BadValue, error.Status);
        }
    }

    [Fact]
    public void Arguments_are_validated()
    {
        using X25519KeyPair key = X25519KeyPair.Generate();
        Assert.Throws<ArgumentException>(() => DoubleRatchet.InitializeInitiator(new byte[31], key.PublicKey));
        Assert.Throws<ArgumentOutOfRangeException>(() => DoubleRatchet.InitializeResponder(new byte[32], key, new RatchetOptions { MaxSkip = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => DoubleRatchet.InitializeResponder(new byte[32], key, new RatchetOptions { MaxSkip = 10, MaxStoredSkipped = 5 }));
        Assert.Throws<ArgumentException>(() => DoubleRatchet.InitializeInitiator(new byte[32], X25519PublicKey.Import(new byte[32])));
        using DoubleRatchet alice = DoubleRatchet.InitializeInitiator(new byte[32], key.PublicKey);
        Assert.Throws<ArgumentException>(() => alice.Encrypt(Text("abc"), Ad, new byte[10]));
    }
}
