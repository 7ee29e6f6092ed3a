using System.Security.Cryptography;
using Privomega.Protocol.Hpke;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Tests.Hpke;

public sealed class HpkeTests
{
    private static readonly List<HpkeVector> Vectors = HpkeVectorFile.Load();

    public static TheoryData<int> VectorIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < Vectors.Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Fact]
    public void Vector_file_has_every_mode_for_both_aeads()
    {
        // Both suites and all four modes are implemented, so nothing is skipped.
        Assert.Equal(8, Vectors.Count);
        Assert.All(Vectors, v => Assert.NotNull(v.Aead));
        Assert.Equal(2, Vectors.Count(v => v.Mode == HpkeMode.Base));
        Assert.All(Vectors, v => Assert.True(v.Encryptions.Count >= 6 && v.Exports.Count >= 3, v.ToString()));
    }

    [Theory]
    [MemberData(nameof(VectorIndexes))]
    public void Rfc9180_vector_matches(int index)
    {
        var v = Vectors[index];
        var aead = v.Aead!.Value;
        var mode = v.Mode;
        Assert.Equal("32", v.Setup["kem_id"]);
        Assert.Equal("1", v.Setup["kdf_id"]);
        Assert.Equal(((int)aead).ToString(System.Globalization.CultureInfo.InvariantCulture), v.Setup["aead_id"]);

        // DeriveKeyPair reproduces every key pair of the vector.
        using var ephemeral = HpkeX25519.DeriveKeyPair(v.Hex("ikmE"));
        using var recipient = HpkeX25519.DeriveKeyPair(v.Hex("ikmR"));
        Assert.Equal(v.Setup["pkEm"], ephemeral.PublicKey.ToString());
        Assert.Equal(v.Setup["skEm"], ExportSecret(ephemeral));
        Assert.Equal(v.Setup["pkRm"], recipient.PublicKey.ToString());
        Assert.Equal(v.Setup["skRm"], ExportSecret(recipient));
        X25519KeyPair? sender = null;
        if (mode is HpkeMode.Auth or HpkeMode.AuthPsk)
        {
            sender = HpkeX25519.DeriveKeyPair(v.Hex("ikmS"));
            Assert.Equal(v.Setup["pkSm"], sender.PublicKey.ToString());
            Assert.Equal(v.Setup["skSm"], ExportSecret(sender));
        }

        using (sender)
        {
            var info = v.Hex("info");
            var psk = v.Setup.TryGetValue("psk", out var p) ? Convert.FromHexString(p) : [];
            var pskId = v.Setup.TryGetValue("psk_id", out var pi) ? Convert.FromHexString(pi) : [];

            // The KEM and key schedule intermediates.
            var enc = new byte[32];
            var sharedSecret = new byte[32];
            Assert.True(DhKemX25519.Encap(v.Hex("pkRm"), v.Hex("skEm"), sender is null ? [] : v.Hex("skSm"), enc, sharedSecret));
            Assert.Equal(v.Setup["enc"], Convert.ToHexStringLower(enc));
            Assert.Equal(v.Setup["shared_secret"], Convert.ToHexStringLower(sharedSecret));
            var decapsulated = new byte[32];
            Assert.True(DhKemX25519.Decap(enc, recipient, sender is null ? [] : v.Hex("pkSm"), decapsulated));
            Assert.Equal(sharedSecret, decapsulated);

            var ksc = new byte[65];
            var key = new byte[aead == HpkeAead.Aes128Gcm ? 16 : 32];
            var baseNonce = new byte[12];
            var exporterSecret = new byte[32];
            HpkeKeySchedule.Derive(mode, aead, sharedSecret, info, psk, pskId, ksc, key, baseNonce, exporterSecret);
            Assert.Equal(v.Setup["key_schedule_context"], Convert.ToHexStringLower(ksc));
            Assert.Equal(v.Setup["key"], Convert.ToHexStringLower(key));
            Assert.Equal(v.Setup["base_nonce"], Convert.ToHexStringLower(baseNonce));
            Assert.Equal(v.Setup["exporter_secret"], Convert.ToHexStringLower(exporterSecret));

            // The public setup path, with the ephemeral secret derived from ikmE.
            var senderEnc = new byte[32];
            using var s = HpkeX25519.SetupSenderCore(mode, recipient.PublicKey, info, psk, pskId, sender, v.Hex("skEm"), senderEnc, aead);
            Assert.Equal(enc, senderEnc);
            HpkeRecipientContext? r;
            var ok = mode switch
            {
                HpkeMode.Base => HpkeX25519.TrySetupBaseRecipient(senderEnc, recipient, info, out r, aead),
                HpkeMode.Psk => HpkeX25519.TrySetupPskRecipient(senderEnc, recipient, info, psk, pskId, out r, aead),
                HpkeMode.Auth => HpkeX25519.TrySetupAuthRecipient(senderEnc, recipient, info, sender!.PublicKey, out r, aead),
                _ => HpkeX25519.TrySetupAuthPskRecipient(senderEnc, recipient, info, psk, pskId, sender!.PublicKey, out r, aead),
            };
            Assert.True(ok);
            using var receiver = r!;

            foreach (var e in v.Encryptions)
            {
                var seq = ulong.Parse(e["sequence number"], System.Globalization.CultureInfo.InvariantCulture);
                var pt = Convert.FromHexString(e["pt"]);
                var aad = Convert.FromHexString(e["aad"]);
                var ct = Convert.FromHexString(e["ct"]);
                s.SetSequenceNumber(seq);
                Assert.Equal(ct, s.Seal(aad, pt));
                Assert.Equal(seq + 1, s.SequenceNumber);
                receiver.SetSequenceNumber(seq);
                Assert.Equal(pt, receiver.TryOpen(aad, ct));
                Assert.Equal(seq + 1, receiver.SequenceNumber);
            }

            foreach (var x in v.Exports)
            {
                var context = Convert.FromHexString(x["exporter_context"]);
                var length = int.Parse(x["L"], System.Globalization.CultureInfo.InvariantCulture);
                Assert.Equal(x["exported_value"], Convert.ToHexStringLower(s.Export(context, length)));
                Assert.Equal(x["exported_value"], Convert.ToHexStringLower(receiver.Export(context, length)));
            }
        }
    }

    [Theory]
    [InlineData(HpkeAead.ChaCha20Poly1305)]
    [InlineData(HpkeAead.Aes128Gcm)]
    public void Single_shot_round_trip_and_tampering_is_rejected(HpkeAead aead)
    {
        using var bob = X25519KeyPair.Generate();
        using var eve = X25519KeyPair.Generate();
        var info = "privomega/test"u8.ToArray();
        var aad = "header"u8.ToArray();
        var plaintext = RandomNumberGenerator.GetBytes(100);
        var sealedBytes = HpkeX25519.Seal(bob.PublicKey, info, aad, plaintext, aead);
        Assert.Equal(32 + 100 + 16, sealedBytes.Length);
        Assert.Equal(plaintext, HpkeX25519.TryOpen(bob, info, aad, sealedBytes, aead));

        // Every single-bit flip anywhere (enc, ciphertext, tag) is rejected.
        for (var bit = 0; bit < sealedBytes.Length * 8; bit += 5)
        {
            var tampered = (byte[])sealedBytes.Clone();
            tampered[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.Null(HpkeX25519.TryOpen(bob, info, aad, tampered, aead));
        }

        Assert.Null(HpkeX25519.TryOpen(bob, info, "headeR"u8, sealedBytes, aead));
        Assert.Null(HpkeX25519.TryOpen(bob, "privomega/tesT"u8, aad, sealedBytes, aead));
        Assert.Null(HpkeX25519.TryOpen(eve, info, aad, sealedBytes, aead));
        Assert.Null(HpkeX25519.TryOpen(bob, info, aad, sealedBytes.AsSpan(0, sealedBytes.Length - 1), aead));
        Assert.Null(HpkeX25519.TryOpen(bob, info, aad, sealedBytes.AsSpan(0, 47), aead));
        var otherAead = aead == HpkeAead.Aes128Gcm ? HpkeAead.ChaCha20Poly1305 : HpkeAead.Aes128Gcm;
        Assert.Null(HpkeX25519.TryOpen(bob, info, aad, sealedBytes, otherAead));

        // A small-order enc (here u = 0) is refused before any decryption.
        var zeroEnc = (byte[])sealedBytes.Clone();
        zeroEnc.AsSpan(0, 32).Clear();
        Assert.Null(HpkeX25519.TryOpen(bob, info, aad, zeroEnc, aead));
    }

    [Fact]
    public void Context_messages_must_be_opened_in_order_and_failures_do_not_advance()
    {
        using var bob = X25519KeyPair.Generate();
        var enc = new byte[32];
        using var sender = HpkeX25519.SetupBaseSender(bob.PublicKey, "i"u8, enc);
        Assert.True(HpkeX25519.TrySetupBaseRecipient(enc, bob, "i"u8, out var receiver));
        using (receiver)
        {
            var c0 = sender.Seal("a"u8, "zero"u8);
            var c1 = sender.Seal("a"u8, "one"u8);
            Assert.Null(receiver.TryOpen("a"u8, c1));
            Assert.Equal(0UL, receiver.SequenceNumber);
            Assert.Equal("zero"u8.ToArray(), receiver.TryOpen("a"u8, c0));
            Assert.Null(receiver.TryOpen("a"u8, c0));
            Assert.Equal("one"u8.ToArray(), receiver.TryOpen("a"u8, c1));
            Assert.Equal(sender.Export("x"u8, 42), receiver.Export("x"u8, 42));
            Assert.NotEqual(sender.Export("x"u8, 32), sender.Export("y"u8, 32));
        }
    }

    [Fact]
    public void Sequence_number_overflow_is_refused_before_encrypting()
    {
        using var bob = X25519KeyPair.Generate();
        var enc = new byte[32];
        using var sender = HpkeX25519.SetupBaseSender(bob.PublicKey, default, enc);
        Assert.True(HpkeX25519.TrySetupBaseRecipient(enc, bob, default, out var receiver));
        using (receiver)
        {
            sender.SetSequenceNumber(ulong.MaxValue - 1);
            receiver.SetSequenceNumber(ulong.MaxValue - 1);
            var last = sender.Seal(default, "last"u8);
            Assert.Equal("last"u8.ToArray(), receiver.TryOpen(default, last));
            Assert.Throws<InvalidOperationException>(() => sender.Seal(default, "more"u8));
            Assert.Equal(ulong.MaxValue, sender.SequenceNumber);
            Assert.Throws<InvalidOperationException>(() => receiver.TryOpen(default, last));
        }
    }

    [Fact]
    public void Misuse_throws()
    {
        using var bob = X25519KeyPair.Generate();
        var enc = new byte[32];
        Assert.Throws<ArgumentException>(() => HpkeX25519.SetupBaseSender(bob.PublicKey, default, new byte[31]));
        Assert.Throws<ArgumentException>(() => HpkeX25519.SetupPskSender(bob.PublicKey, default, new byte[31], "id"u8, enc));
        Assert.Throws<ArgumentException>(() => HpkeX25519.SetupPskSender(bob.PublicKey, default, new byte[32], default, enc));
        Assert.Throws<ArgumentException>(() => HpkeX25519.SetupBaseSender(bob.PublicKey, new byte[HpkeX25519.MaxInputLength + 1], enc));
        Assert.Throws<ArgumentOutOfRangeException>(() => HpkeX25519.SetupBaseSender(bob.PublicKey, default, enc, (HpkeAead)2));
        Assert.Throws<ArgumentException>(() => HpkeX25519.SetupBaseSender(X25519PublicKey.Import(new byte[32]), default, enc));
        using var sender = HpkeX25519.SetupBaseSender(bob.PublicKey, default, enc);
        Assert.Throws<ArgumentException>(() => sender.Seal(default, new byte[4], new byte[19]));
        Assert.Throws<ArgumentOutOfRangeException>(() => sender.Export(default, HpkeContext.MaxExportLength + 1));
        sender.Dispose();
        Assert.Throws<ObjectDisposedException>(() => sender.Seal(default, new byte[4]));
    }

    private static string ExportSecret(X25519KeyPair keyPair)
    {
        var secret = new byte[32];
        keyPair.Export(secret);
        return Convert.ToHexStringLower(secret);
    }
}
