using System.Security.Cryptography;

namespace Privomega.Pir.Engine.Keyword;

/// <summary>
/// The digest of a database snapshot: <c>SHA-256(domain ‖ header ‖ H_0 ‖ … ‖ H_{c−1})</c> where
/// <c>H_k = SHA-256(records of chunk k)</c> over whole records (padding excluded), a chunk being
/// <see cref="RecordsPerChunk"/> consecutive records (the last may be shorter). Chunking lets a
/// snapshot that changes a few records rehash only their chunks, and lets the hashing run in
/// parallel; the result depends only on the header and the records.
/// </summary>
internal static unsafe class SnapshotDigest
{
    /// <summary>Target bytes per chunk.</summary>
    internal const int ChunkBytes = 1 << 16;

    internal const int Length = 32;

    internal static long RecordsPerChunk(int recordBytes) => Math.Max(1, ChunkBytes / recordBytes);

    internal static long ChunkCount(long recordCount, int recordBytes)
    {
        long per = RecordsPerChunk(recordBytes);
        return (recordCount + per - 1) / per;
    }

    /// <summary>Hashes every chunk of <paramref name="database"/>.</summary>
    internal static byte[] HashAllChunks(PirDatabase database)
    {
        long chunks = ChunkCount(database.RecordCount, database.RecordBytes);
        var hashes = new byte[checked((int)(chunks * Length))];
        HashChunks(database, hashes, null);
        return hashes;
    }

    /// <summary>Rehashes the chunks <paramref name="chunkChanged"/> marks (all when null) into <paramref name="hashes"/>.</summary>
    internal static void HashChunks(PirDatabase database, byte[] hashes, bool[]? chunkChanged)
    {
        long per = RecordsPerChunk(database.RecordBytes);
        long chunks = ChunkCount(database.RecordCount, database.RecordBytes);
        database.AddScanReference();
        try
        {
            Parallel.For(0L, chunks, chunk =>
            {
                if (chunkChanged is not null && !chunkChanged[chunk])
                {
                    return;
                }

                long first = chunk * per;
                long end = Math.Min(database.RecordCount, first + per);
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                if (database.RecordStride == database.RecordBytes)
                {
                    hash.AppendData(new ReadOnlySpan<byte>(database.GetRowPointer(first), checked((int)((end - first) * database.RecordBytes))));
                }
                else
                {
                    for (long i = first; i < end; i++)
                    {
                        hash.AppendData(new ReadOnlySpan<byte>(database.GetRowPointer(i), database.RecordBytes));
                    }
                }

                hash.GetHashAndReset(hashes.AsSpan((int)(chunk * Length), Length));
            });
        }
        finally
        {
            database.ReleaseScanReference();
        }
    }

    /// <summary>The digest over <paramref name="domainAndHeader"/> and the chunk hashes.</summary>
    internal static byte[] Combine(ReadOnlySpan<byte> domainAndHeader, ReadOnlySpan<byte> chunkHashes)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(domainAndHeader);
        hash.AppendData(chunkHashes);
        return hash.GetHashAndReset();
    }
}
