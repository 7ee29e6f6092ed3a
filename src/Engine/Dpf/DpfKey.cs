using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Privomega.Pir.Engine;

/// <summary>
/// One party's key of a distributed point function over <c>2^DomainBits</c> one-bit leaves
/// (Boyle–Gilboa–Ishai, CCS 2016, tree construction with early termination): a root seed, one
/// correction word per tree level and a 128-bit output correction word.
/// </summary>
/// <remarks>
/// <para>
/// Encoding (all fields fixed-size, so the length is a function of <see cref="DomainBits"/>):
/// <c>version (1) ‖ domainBits (1) ‖ party (1) ‖ root (16) ‖ levels × (seedCw (16) ‖ flags (1)) ‖ outputCw (16)</c>
/// with <c>levels = max(domainBits − 7, 0)</c>. The root's bit 0 is the party's initial control
/// bit and must equal <c>party</c>; a seed correction word's bit 0 must be 0; <c>flags</c> holds
/// the left (bit 0) and right (bit 1) control-bit corrections and no other bits.
/// At 2^22 leaves a key is 3 + 16 + 15·17 + 16 = 290 bytes.
/// </para>
/// <para>A key is secret material: <see cref="Dispose"/> zeroes it.</para>
/// </remarks>
public sealed class DpfKey : IDisposable
{
    /// <summary>The version byte every encoded key starts with.</summary>
    public const byte FormatVersion = 1;

    /// <summary>Largest supported domain: 2^48 leaves.</summary>
    public const int MaxDomainBits = 48;

    /// <summary>Bits of output each leaf node of the tree yields (the early-termination width).</summary>
    public const int LeafBlockBits = 7;

    private const int HeaderBytes = 3;
    private const int BlockBytes = 16;
    private const int LevelBytes = BlockBytes + 1;

    private readonly Vector128<byte>[] _words;
    private bool _disposed;

    // words[0] = root, words[1 + 2l] / words[2 + 2l] = left / right correction of level l, last = output correction.
    internal DpfKey(int domainBits, int party, Vector128<byte>[] words)
    {
        DomainBits = domainBits;
        Party = party;
        _words = words;
    }

    /// <summary>log2 of the number of leaves.</summary>
    public int DomainBits { get; }

    /// <summary>Which of the two parties holds this key (0 or 1).</summary>
    public int Party { get; }

    /// <summary>Number of leaves, <c>2^DomainBits</c>.</summary>
    public long DomainSize => 1L << DomainBits;

    /// <summary>Tree depth below the root: <c>max(DomainBits − 7, 0)</c>.</summary>
    public int Levels => LevelsFor(DomainBits);

    /// <summary>Leaves an evaluation covers: the domain rounded up to one 128-bit leaf block.</summary>
    public long PaddedDomainSize => Math.Max(DomainSize, 1L << LeafBlockBits);

    /// <summary>Exact number of bytes <see cref="Encode(Span{byte})"/> writes.</summary>
    public int EncodedLength => EncodedLengthFor(DomainBits);

    internal Vector128<byte> Root => Words[0];

    internal Vector128<byte> OutputCorrection => Words[^1];

    private Vector128<byte>[] Words
    {
        get
        {
            if (_disposed)
            {
                ThrowHelper.ObjectDisposed(nameof(DpfKey));
            }

            return _words;
        }
    }

    /// <summary>Encoded size of a key over <c>2^domainBits</c> leaves.</summary>
    public static int EncodedLengthFor(int domainBits)
    {
        if ((uint)domainBits > MaxDomainBits)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(domainBits), domainBits, $"0..{MaxDomainBits}");
        }

        return HeaderBytes + BlockBytes + (LevelsFor(domainBits) * LevelBytes) + BlockBytes;
    }

    internal static int LevelsFor(int domainBits) => Math.Max(domainBits - LeafBlockBits, 0);

    internal Vector128<byte> LeftCorrection(int level) => Words[1 + (2 * level)];

    internal Vector128<byte> RightCorrection(int level) => Words[2 + (2 * level)];

    /// <summary>Writes the versioned encoding; <paramref name="destination"/> must hold <see cref="EncodedLength"/> bytes.</summary>
    public void Encode(Span<byte> destination)
    {
        int length = EncodedLength;
        if (destination.Length < length)
        {
            ThrowHelper.Argument(nameof(destination), $"destination has {destination.Length} bytes; expected at least {length}.");
        }

        Vector128<byte>[] words = Words;
        destination[0] = FormatVersion;
        destination[1] = (byte)DomainBits;
        destination[2] = (byte)Party;
        int offset = HeaderBytes;
        words[0].CopyTo(destination[offset..]);
        offset += BlockBytes;
        for (int level = 0; level < Levels; level++)
        {
            Vector128<byte> left = words[1 + (2 * level)];
            Vector128<byte> right = words[2 + (2 * level)];
            // Left and right share the seed correction; only bit 0 (the control-bit correction) differs.
            (left & DpfPrg.SeedMask).CopyTo(destination[offset..]);
            destination[offset + BlockBytes] = (byte)((left.GetElement(0) & 1) | ((right.GetElement(0) & 1) << 1));
            offset += LevelBytes;
        }

        words[^1].CopyTo(destination[offset..]);
    }

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }

    /// <summary>Decodes a key, throwing <see cref="PirFormatException"/> on malformed input.</summary>
    public static DpfKey Decode(ReadOnlySpan<byte> source)
    {
        if (!TryDecode(source, out DpfKey? key, out PirDecodeError error))
        {
            ThrowHelper.Format(error);
        }

        return key;
    }

    /// <summary>Decodes a key; on malformed input returns false and says why in <paramref name="error"/>.</summary>
    public static bool TryDecode(
        ReadOnlySpan<byte> source,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DpfKey? key,
        out PirDecodeError error)
    {
        key = null;
        if (source.Length < HeaderBytes)
        {
            error = new PirDecodeError(PirDecodeStatus.Truncated, "dpfKey", source.Length, HeaderBytes);
            return false;
        }

        if (source[0] != FormatVersion)
        {
            error = new PirDecodeError(PirDecodeStatus.WrongVersion, "dpfKey.version", source[0], FormatVersion);
            return false;
        }

        int domainBits = source[1];
        if (domainBits > MaxDomainBits)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "dpfKey.domainBits", domainBits, MaxDomainBits);
            return false;
        }

        int party = source[2];
        if (party > 1)
        {
            error = new PirDecodeError(PirDecodeStatus.BadValue, "dpfKey.party", party, 1);
            return false;
        }

        int length = EncodedLengthFor(domainBits);
        if (source.Length != length)
        {
            error = new PirDecodeError(
                source.Length < length ? PirDecodeStatus.Truncated : PirDecodeStatus.Oversized, "dpfKey", source.Length, length);
            return false;
        }

        int levels = LevelsFor(domainBits);
        var words = new Vector128<byte>[2 + (2 * levels)];
        int offset = HeaderBytes;
        words[0] = Vector128.Create(source.Slice(offset, BlockBytes));
        offset += BlockBytes;
        if ((words[0].GetElement(0) & 1) != party)
        {
            CryptographicWipe(words);
            error = new PirDecodeError(PirDecodeStatus.BadValue, "dpfKey.root.controlBit", words[0].GetElement(0) & 1, party);
            return false;
        }

        for (int level = 0; level < levels; level++)
        {
            Vector128<byte> seedCorrection = Vector128.Create(source.Slice(offset, BlockBytes));
            byte flags = source[offset + BlockBytes];
            if ((seedCorrection.GetElement(0) & 1) != 0)
            {
                CryptographicWipe(words);
                error = new PirDecodeError(PirDecodeStatus.BadValue, "dpfKey.seedCorrection.bit0", 1, 0);
                return false;
            }

            if (flags > 3)
            {
                CryptographicWipe(words);
                error = new PirDecodeError(PirDecodeStatus.BadValue, "dpfKey.controlCorrection", flags, 3);
                return false;
            }

            words[1 + (2 * level)] = seedCorrection | Vector128.CreateScalar((byte)(flags & 1));
            words[2 + (2 * level)] = seedCorrection | Vector128.CreateScalar((byte)(flags >> 1));
            offset += LevelBytes;
        }

        words[^1] = Vector128.Create(source.Slice(offset, BlockBytes));
        key = new DpfKey(domainBits, party, words);
        error = PirDecodeError.None;
        return true;
    }

    /// <summary>Zeroes the key material.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicWipe(_words);
            _disposed = true;
        }
    }

    private static void CryptographicWipe(Vector128<byte>[] words) =>
        System.Security.Cryptography.CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(words.AsSpan()));
}
