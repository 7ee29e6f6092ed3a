using System.Diagnostics.CodeAnalysis;

namespace Privomega.Pir.Engine;

/// <summary>
/// One server's share of a DPF-compressed XOR PIR query: a <see cref="DpfKey"/> over the database's
/// index domain (record count rounded up to a power of two). Encoding:
/// <c>version ‖ scheme (XorDpf) ‖ DpfKey encoding</c>, 292 bytes at 2^22 records instead of the 512 KiB
/// of a bit-vector share.
/// </summary>
public sealed class DpfQuery : PirQuery, IDisposable
{
    /// <summary>Creates a query holding <paramref name="key"/>; the query owns the key and disposes it.</summary>
    public DpfQuery(DpfKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Key = key;
    }

    /// <inheritdoc />
    public override PirSchemeKind Scheme => PirSchemeKind.XorDpf;

    /// <summary>The DPF key this server expands into its selection vector.</summary>
    public DpfKey Key { get; }

    /// <summary>log2 of the index domain: the smallest <c>n</c> with <c>2^n ≥ RecordCount</c>.</summary>
    public int DomainBits => Key.DomainBits;

    /// <inheritdoc />
    public override int EncodedLength => PirWireHeader.Length + Key.EncodedLength;

    /// <summary>Index domain bits for a database of <paramref name="recordCount"/> records (0 for one record).</summary>
    public static int DomainBitsFor(long recordCount)
    {
        if (recordCount < 1 || recordCount > 1L << DpfKey.MaxDomainBits)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, $"1..2^{DpfKey.MaxDomainBits}");
        }

        return 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)(recordCount - 1));
    }

    /// <summary>Encoded bytes of a query for a database of <paramref name="recordCount"/> records.</summary>
    public static int EncodedLengthFor(long recordCount) => PirWireHeader.Length + DpfKey.EncodedLengthFor(DomainBitsFor(recordCount));

    /// <inheritdoc />
    public override void Encode(Span<byte> destination)
    {
        PirWireHeader.CheckDestination(destination, EncodedLength);
        PirWireHeader.Write(destination, Scheme);
        Key.Encode(destination[PirWireHeader.Length..]);
    }

    /// <summary>Decodes a query for a database of <paramref name="expectedRecordCount"/> records; throws <see cref="PirFormatException"/> on bad bytes.</summary>
    public static DpfQuery Decode(ReadOnlySpan<byte> source, long expectedRecordCount)
    {
        if (!TryDecode(source, expectedRecordCount, out DpfQuery? query, out PirDecodeError error))
        {
            ThrowHelper.Format(error);
        }

        return query;
    }

    /// <summary>Decodes a query for a database of <paramref name="expectedRecordCount"/> records; false with a typed error on bad bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, long expectedRecordCount, [NotNullWhen(true)] out DpfQuery? query, out PirDecodeError error)
    {
        int expectedBits = DomainBitsFor(expectedRecordCount);
        query = null;
        if (!PirWireHeader.TryRead(source, PirSchemeKind.XorDpf, "dpf query", out error)
            || !DpfKey.TryDecode(source[PirWireHeader.Length..], out DpfKey? key, out error))
        {
            return false;
        }

        if (!PirWireHeader.TryCheckValue(key.DomainBits, expectedBits, "dpf query domain bits", out error))
        {
            key.Dispose();
            return false;
        }

        query = new DpfQuery(key);
        return true;
    }

    /// <summary>Zeroes the key.</summary>
    public void Dispose() => Key.Dispose();
}
