using System.Diagnostics.CodeAnalysis;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Formats;

/// <summary>
/// The PIR record for id <c>i</c> of <c>keydir_t</c>: <c>version(1) ‖ certificate(146) ‖
/// path_count(1) ‖ path(ceil(log2 n_t) × 32)</c>, the inclusion path zero-padded to the longest
/// path of the tree so every record of one epoch has the same size (a PIR database needs fixed
/// records). One private read yields a certificate the client checks against the signed head with
/// no second, revealing request.
/// </summary>
public sealed class DirectoryRecord
{
    /// <summary>The version byte this build writes and reads.</summary>
    public const byte CurrentVersion = 1;

    private const int HeaderSize = 1 + Certificate.Size + 1;

    private readonly byte[] _path;

    private DirectoryRecord(Certificate certificate, byte[] path, long directorySize)
    {
        Certificate = certificate;
        _path = path;
        DirectorySize = directorySize;
    }

    /// <summary>The certificate at this record's index.</summary>
    public Certificate Certificate { get; }

    /// <summary>The inclusion path (its real nodes, without padding).</summary>
    public ReadOnlySpan<byte> Path => _path;

    /// <summary>The <c>n_t</c> the record was laid out for.</summary>
    public long DirectorySize { get; }

    /// <summary>The encoded size of every record of a directory of <paramref name="directorySize"/> certificates.</summary>
    public static int SizeFor(long directorySize) => HeaderSize + (DirectoryTree.MaxPathNodesFor(directorySize) * MerkleHash.Size);

    /// <summary>Builds the record for <paramref name="index"/> (server side).</summary>
    public static DirectoryRecord Create(Certificate certificate, DirectoryTree tree, long index)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(tree);
        var path = tree.GetInclusionProof(index);
        Span<byte> leaf = stackalloc byte[MerkleHash.Size];
        tree.GetLeafHash(index, leaf);
        Span<byte> certificateLeaf = stackalloc byte[MerkleHash.Size];
        MerkleHash.HashLeaf(certificate.Encoded, certificateLeaf);
        if (!leaf.SequenceEqual(certificateLeaf))
        {
            ProtocolThrow.Argument(nameof(certificate), $"The certificate is not leaf {index} of the tree.");
        }

        return new DirectoryRecord(certificate, path, tree.Size);
    }

    /// <summary>Decodes a record of a directory of <paramref name="directorySize"/> certificates; throws <see cref="ProtocolFormatException"/>.</summary>
    public static DirectoryRecord Decode(ReadOnlySpan<byte> encoded, long directorySize)
    {
        if (!TryDecode(encoded, directorySize, out var record, out var error))
        {
            throw new ProtocolFormatException(error);
        }

        return record;
    }

    /// <summary>Decodes a record; false with a typed <paramref name="error"/> on malformed bytes.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, long directorySize, [NotNullWhen(true)] out DirectoryRecord? record, out ProtocolDecodeError error)
    {
        if (directorySize < 1)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(directorySize), directorySize, "a directory size ≥ 1");
        }

        record = null;
        var maxNodes = DirectoryTree.MaxPathNodesFor(directorySize);
        var reader = new WireReader(encoded, "directory_record");
        reader.ReadVersion(CurrentVersion);
        var certificateBytes = reader.ReadBytes(Certificate.Size, "certificate");
        var count = reader.ReadByte("path_count");
        var path = reader.ReadBytes(maxNodes * MerkleHash.Size, "path");
        if (!reader.Finish(out error))
        {
            return false;
        }

        if (!PathField.TryRead(path, count, maxNodes, out var nodes, out error)
            || !Certificate.TryDecode(certificateBytes, out var certificate, out error))
        {
            return false;
        }

        record = new DirectoryRecord(certificate, nodes, directorySize);
        return true;
    }

    /// <summary>
    /// Checks the record against a signed head: laid out for the head's <c>n_t</c>, the certificate
    /// signed by <paramref name="server"/> with enough proof of work and issued no later than the
    /// epoch began, and included at <paramref name="index"/> under the head's directory root. (The
    /// head's own signature is the caller's to check once per epoch.)
    /// </summary>
    public bool Verify(EpochHead head, long index, Ed25519PublicKey server, int minimumDifficulty)
    {
        ArgumentNullException.ThrowIfNull(head);
        return DirectorySize == head.DirectorySize
            && IsCurrent(Certificate, head)
            && Certificate.Verify(server, minimumDifficulty)
            && IsIncluded(Certificate, index, _path, head);
    }

    /// <summary>
    /// Lays out the whole PIR database of an epoch (server side): record <c>i</c> at offset
    /// <c>i · SizeFor(n)</c>, for the certificates the tree was built from, in order.
    /// </summary>
    public static byte[] EncodeDatabase(IReadOnlyList<Certificate> certificates, DirectoryTree tree)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        ArgumentNullException.ThrowIfNull(tree);
        if (certificates.Count != tree.Size)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(certificates), certificates.Count, $"{tree.Size} certificates, one per leaf");
        }

        var size = SizeFor(tree.Size);
        var database = new byte[checked(size * certificates.Count)];
        for (var i = 0; i < certificates.Count; i++)
        {
            Create(certificates[i], tree, i).Encode(database.AsSpan(i * size, size));
        }

        return database;
    }

    /// <summary>The certificate existed when the epoch began (the sketch's timestamp check).</summary>
    internal static bool IsCurrent(Certificate certificate, EpochHead head) => certificate.IssuedAt <= head.TimeMilliseconds / 1000;

    /// <summary>Writes the encoding, <see cref="SizeFor"/>(<see cref="DirectorySize"/>) bytes.</summary>
    public void Encode(Span<byte> destination)
    {
        var size = SizeFor(DirectorySize);
        if (destination.Length != size)
        {
            ProtocolThrow.ArgumentLength(nameof(destination), destination.Length, size);
        }

        var writer = new WireWriter(destination);
        writer.WriteByte(CurrentVersion);
        writer.WriteBytes(Certificate.Encoded);
        PathField.Write(ref writer, _path, DirectoryTree.MaxPathNodesFor(DirectorySize));
    }

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var encoded = new byte[SizeFor(DirectorySize)];
        Encode(encoded);
        return encoded;
    }

    internal static bool IsIncluded(Certificate certificate, long index, ReadOnlySpan<byte> path, EpochHead head)
    {
        Span<byte> leaf = stackalloc byte[MerkleHash.Size];
        MerkleHash.HashLeaf(certificate.Encoded, leaf);
        return MerkleVerifier.VerifyInclusion(leaf, index, head.DirectorySize, path, head.DirectoryRoot);
    }
}

/// <summary>An inclusion path padded to a fixed number of nodes: <c>count(1) ‖ nodes ‖ zero padding</c>.</summary>
internal static class PathField
{
    public static void Write(ref WireWriter writer, ReadOnlySpan<byte> path, int maxNodes)
    {
        var count = path.Length / MerkleHash.Size;
        if (count > maxNodes)
        {
            ProtocolThrow.ArgumentLengthAtMost(nameof(path), path.Length, maxNodes * MerkleHash.Size);
        }

        writer.WriteByte((byte)count);
        writer.WriteBytes(path);
        writer.WriteZeros((maxNodes - count) * MerkleHash.Size);
    }

    /// <summary>Reads <paramref name="count"/> nodes; the rest must be zero so a record has one encoding.</summary>
    public static bool TryRead(ReadOnlySpan<byte> padded, byte count, int maxNodes, out byte[] nodes, out ProtocolDecodeError error)
    {
        nodes = [];
        if (count > maxNodes)
        {
            error = new ProtocolDecodeError(ProtocolDecodeStatus.BadValue, "path_count", count, maxNodes);
            return false;
        }

        var used = count * MerkleHash.Size;
        var nonZero = padded[used..].IndexOfAnyExcept((byte)0);
        if (nonZero >= 0)
        {
            error = new ProtocolDecodeError(ProtocolDecodeStatus.BadValue, "path_padding", used + nonZero, 0);
            return false;
        }

        nodes = padded[..used].ToArray();
        error = ProtocolDecodeError.None;
        return true;
    }
}
