
namespace Privomega.Pir.Engine.Tests;

public class DpfKeyEncodingTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(13)]
    [InlineData(22)]
    public void Encoding_round_trips_and_decoded_key_evaluates_identically(int n)
    {
        long alpha = (1L << n) / 3;
        (DpfKey key0, DpfKey key1) = Dpf.Generate(alpha, n);
        foreach (DpfKey key in new[] { key0, key1 })
        {
            byte[] bytes = key.Encode();
            Assert.Equal(key.EncodedLength, bytes.Length);
            Assert.Equal(DpfKey.FormatVersion, bytes[0]);
            using DpfKey decoded = DpfKey.Decode(bytes);
            Assert.Equal(key.DomainBits, decoded.DomainBits);
            Assert.Equal(key.Party, decoded.Party);
            Assert.Equal(bytes, decoded.Encode());
            int leaves = (int)Math.Min(key.PaddedDomainSize, 1 << 12);
            var expected = new ulong[leaves / 64];
            var actual = new ulong[leaves / 64];
            Dpf.EvaluateRange(key, 0, leaves, expected);
            Dpf.EvaluateRange(decoded, 0, leaves, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void Every_truncation_and_extension_is_rejected()
    {
        (DpfKey key, _) = Dpf.Generate(100, 12);
        byte[] bytes = key.Encode();
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.False(DpfKey.TryDecode(bytes.AsSpan(0, length), out DpfKey? decoded, out PirDecodeError error));
            Assert.Null(decoded);
            Assert.Equal(PirDecodeStatus.Truncated, error.Status);
            Assert.Equal(length, error.Found);
        }

        byte[] longer = [.. bytes, 0];
        Assert.False(DpfKey.TryDecode(longer, out _, out PirDecodeError oversized));
        Assert.Equal(new PirDecodeError(PirDecodeStatus.Oversized, "dpfKey", bytes.Length + 1, bytes.Length), oversized);
    }

    [Fact]
    public void Malformed_fields_are_rejected_with_typed_errors()
    {
        (DpfKey key0, DpfKey key1) = Dpf.Generate(100, 12);
        byte[] good = key0.Encode();

        AssertRejected(Mutate(good, b => b[0] = 2), PirDecodeStatus.WrongVersion, "dpfKey.version");
        AssertRejected(Mutate(good, b => b[1] = 49), PirDecodeStatus.BadValue, "dpfKey.domainBits");
        AssertRejected(Mutate(good, b => b[2] = 2), PirDecodeStatus.BadValue, "dpfKey.party");
        AssertRejected(Mutate(good, b => b[2] = 1), PirDecodeStatus.BadValue, "dpfKey.root.controlBit");
        AssertRejected(Mutate(good, b => b[3] ^= 1), PirDecodeStatus.BadValue, "dpfKey.root.controlBit");
        AssertRejected(Mutate(good, b => b[3 + 16 + 17] ^= 1), PirDecodeStatus.BadValue, "dpfKey.seedCorrection.bit0");
        AssertRejected(Mutate(good, b => b[3 + 16 + 16] = 4), PirDecodeStatus.BadValue, "dpfKey.controlCorrection");
        // Changing the domain changes the expected length.
        AssertRejected(Mutate(good, b => b[1] = 13), PirDecodeStatus.Truncated, "dpfKey");
        AssertRejected(Mutate(good, b => b[1] = 11), PirDecodeStatus.Oversized, "dpfKey");

        PirFormatException thrown = Assert.Throws<PirFormatException>(() => DpfKey.Decode(Mutate(good, b => b[0] = 9)));
        Assert.Equal(PirDecodeStatus.WrongVersion, thrown.Error.Status);
        Assert.Equal(9, thrown.Error.Found);

        // The other party's key decodes with its own party byte.
        Assert.True(DpfKey.TryDecode(key1.Encode(), out DpfKey? other, out _));
        Assert.Equal(1, other.Party);
    }

    private static byte[] Mutate(byte[] source, Action<byte[]> change)
    {
        var copy = (byte[])source.Clone();
        change(copy);
        return copy;
    }

    private static void AssertRejected(byte[] bytes, PirDecodeStatus status, string field)
    {
        Assert.False(DpfKey.TryDecode(bytes, out DpfKey? key, out PirDecodeError error));
        Assert.Null(key);
        Assert.Equal(status, error.Status);
        Assert.Equal(field, error.Field);
    }
}
