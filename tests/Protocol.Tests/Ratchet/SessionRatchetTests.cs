using Privomega.Protocol.Primitives;
using Privomega.Protocol.Ratchet;
using Privomega.Protocol.Session;

namespace Privomega.Protocol.Tests.Ratchet;

public class SessionRatchetTests
{
    [Fact]
    public void Session_keys_seed_both_ratchets_and_bind_the_session_ad()
    {
        using X25519KeyPair alice = X25519KeyPair.Generate();
        using X25519KeyPair bob = X25519KeyPair.Generate();
        using SessionKeys aliceKeys = SessionKeys.Derive(alice, bob.PublicKey, SessionRole.Initiator, 42);
        using SessionKeys bobKeys = SessionKeys.Derive(bob, alice.PublicKey, SessionRole.Responder, 42);
        Assert.Equal(aliceKeys.AssociatedData(), bobKeys.AssociatedData());
        byte[] ad = aliceKeys.AssociatedData();

        using DoubleRatchet a = SessionRatchet.Start(aliceKeys, alice);
        using DoubleRatchet b = SessionRatchet.Start(bobKeys, bob);
        byte[] hello = a.Encrypt("hello"u8, ad);
        Assert.Equal(RatchetDecryptStatus.AuthenticationFailed, b.TryDecrypt(hello, [.. ad[32..], .. ad[..32]], out _, out _));
        Assert.Equal(RatchetDecryptStatus.Ok, b.TryDecrypt(hello, ad, out byte[]? plaintext, out _));
        Assert.Equal("hello"u8.ToArray(), plaintext);
        Assert.Equal(RatchetDecryptStatus.Ok, a.TryDecrypt(b.Encrypt("hi"u8, ad), ad, out plaintext, out _));
        Assert.Equal("hi"u8.ToArray(), plaintext);

        // A different epoch gives a different k_e: the ratchets do not interoperate.
        using SessionKeys otherEpoch = SessionKeys.Derive(bob, alice.PublicKey, SessionRole.Responder, 43);
        using DoubleRatchet stranger = SessionRatchet.Start(otherEpoch, bob);
        Assert.Equal(RatchetDecryptStatus.AuthenticationFailed, stranger.TryDecrypt(hello, ad, out _, out _));
        Assert.Throws<ArgumentException>(() => SessionRatchet.Start(bobKeys, alice));
    }
}
