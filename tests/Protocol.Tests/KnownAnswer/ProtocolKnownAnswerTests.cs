using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Ratchet;

namespace Privomega.Protocol.Tests.KnownAnswer;

/// <summary>
/// Known answers for the ratchet KDF chains and the proof of work, recomputed here independently
/// with the BCL's HKDF/HMAC/SHA-256 from the specifications in the types' documentation.
/// </summary>
public sealed class ProtocolKnownAnswerTests
{
    private static byte[] Pattern(int length, int start) => Enumerable.Range(start, length).Select(i => (byte)i).ToArray();

    [Fact]
    public void Kdf_rk_is_hkdf_sha256_salted_with_the_root_key()
    {
        var rootKey = Pattern(32, 0x10);
        var dhOutput = Pattern(32, 0xA0);
        var newRoot = new byte[32];
        var chain = new byte[32];
        RatchetKdf.Root(rootKey, dhOutput, newRoot, chain);

        var expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, dhOutput, 64, rootKey, Encoding.ASCII.GetBytes("Privomega ratchet root v1"));
        Assert.Equal(Convert.ToHexStringLower(expected[..32]), Convert.ToHexStringLower(newRoot));
        Assert.Equal(Convert.ToHexStringLower(expected[32..]), Convert.ToHexStringLower(chain));
        Assert.NotEqual(newRoot, chain);
    }

    [Fact]
    public void Kdf_ck_chain_is_hmac_sha256_with_constants_1_and_2_for_several_steps()
    {
        var chainKey = Pattern(32, 0x42);
        var reference = (byte[])chainKey.Clone();
        var messageKey = new byte[32];
        var seen = new HashSet<string>();
        for (var step = 0; step < 4; step++)
        {
            RatchetKdf.Chain(chainKey, messageKey);
            var expectedMessage = HMACSHA256.HashData(reference, new byte[] { 0x01 });
            reference = HMACSHA256.HashData(reference, new byte[] { 0x02 });
            Assert.Equal(Convert.ToHexStringLower(expectedMessage), Convert.ToHexStringLower(messageKey));
            Assert.Equal(Convert.ToHexStringLower(reference), Convert.ToHexStringLower(chainKey));
            Assert.True(seen.Add(Convert.ToHexStringLower(messageKey)), $"message key repeated at step {step}");
        }
    }

    [Fact]
    public void Message_aead_key_and_nonce_are_hkdf_of_the_message_key_with_zero_salt()
    {
        var messageKey = Pattern(32, 0x77);
        var keyAndNonce = new byte[44];
        RatchetKdf.MessageAead(messageKey, keyAndNonce);
        var expected = HKDF.DeriveKey(HashAlgorithmName.SHA256, messageKey, 44, new byte[32], Encoding.ASCII.GetBytes("Privomega ratchet message v1"));
        Assert.Equal(Convert.ToHexStringLower(expected), Convert.ToHexStringLower(keyAndNonce));
    }

    [Fact]
    public void Proof_of_work_mints_the_first_sha256_hashcash_nonce()
    {
        using var vrf = Ed25519KeyPair.Import(Pattern(32, 1));
        using var dh = X25519KeyPair.Import(Pattern(32, 0x31));
        var vrfBytes = new byte[32];
        var dhBytes = new byte[32];
        vrf.PublicKey.Export(vrfBytes);
        dh.PublicKey.Export(dhBytes);
        const int difficulty = 10;

        // h = SHA-256("privomega/v1/certificate-pow" ‖ version 1 ‖ vrf_pk ‖ dh_pk ‖ difficulty ‖ nonce as u64 BE).
        byte[] HashFor(ulong nonce)
        {
            var input = new List<byte>(Encoding.ASCII.GetBytes("privomega/v1/certificate-pow")) { 1 };
            input.AddRange(vrfBytes);
            input.AddRange(dhBytes);
            input.Add(difficulty);
            var n = new byte[8];
            BinaryPrimitives.WriteUInt64BigEndian(n, nonce);
            input.AddRange(n);
            return SHA256.HashData(input.ToArray());
        }

        static int LeadingZeros(byte[] h)
        {
            var bits = 0;
            foreach (var b in h)
            {
                for (var bit = 7; bit >= 0; bit--)
                {
                    if (((b >> bit) & 1) != 0)
                    {
                        return bits;
                    }

                    bits++;
                }
            }

            return bits;
        }

        ulong expected = 0;
        while (LeadingZeros(HashFor(expected)) < difficulty)
        {
            expected++;
        }

        var minted = ProofOfWork.Mint(vrf.PublicKey, dh.PublicKey, difficulty);
        Assert.Equal(expected, minted);
        Assert.True(ProofOfWork.Verify(vrf.PublicKey, dh.PublicKey, difficulty, minted));
        Assert.Equal(LeadingZeros(HashFor(minted)), ProofOfWork.LeadingZeroBits(HashFor(minted)));

        // Every nonce before it fails, both by the reference and by Verify.
        for (ulong nonce = 0; nonce < minted; nonce++)
        {
            Assert.Equal(LeadingZeros(HashFor(nonce)) >= difficulty, ProofOfWork.Verify(vrf.PublicKey, dh.PublicKey, difficulty, nonce));
        }
    }
}
