using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine;

/// <summary>
/// One shard of a database split over several servers: shard <see cref="Index"/> of <see cref="Count"/> holds
/// items <c>[First, First + Length)</c> — rows of the database for the XOR schemes, plaintext columns of the
/// N1 × N2 matrix for the lattice scheme.
/// </summary>
public readonly record struct PirShardRange(int Index, int Count, long First, long Length)
{
    /// <summary>One past the last item the shard holds.</summary>
    public long End => First + Length;
}

/// <summary>
/// How a database splits into shards whose partial answers combine into the single server's answer, byte for
/// byte: for XOR and DPF PIR each shard holds a range of rows and answers the XOR of the rows the query selects
/// among them (the shards' answers XOR to the whole answer); for lattice PIR each shard holds a range of the
/// plaintext matrix's columns, runs both dimensions over them and returns its accumulators before the final
/// modulus switch (they add up, modulo each ciphertext prime, to the single server's). Every query goes to
/// every shard, so a shard sees exactly what a single server would see.
/// </summary>
public static class PirSharding
{
    /// <summary>Row shards start at multiples of this many rows (a DPF leaf block, two selection words).</summary>
    public const int RowAlignment = 128;

    /// <summary>
    /// Splits a database of <paramref name="recordCount"/> records (XOR or DPF PIR) or the columns of
    /// <paramref name="lattice"/>'s plaintext matrix into <paramref name="shards"/> contiguous, near-equal,
    /// non-empty ranges.
    /// </summary>
    public static PirShardRange[] Split(PirSchemeKind scheme, long recordCount, int shards, LatticePirParameters? lattice = null)
    {
        if (shards < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(shards), shards, "at least 1");
        }

        switch (scheme)
        {
            case PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf:
            {
                if (recordCount < 1 || recordCount > XorQuery.MaxRecordCount)
                {
                    ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, $"1..{XorQuery.MaxRecordCount}");
                }

                long units = (recordCount + RowAlignment - 1) / RowAlignment;
                if (shards > units)
                {
                    ThrowHelper.ArgumentOutOfRange(nameof(shards), shards, $"at most {units} for {recordCount} records (shards hold multiples of {RowAlignment} rows)");
                }

                var ranges = new PirShardRange[shards];
                for (int i = 0; i < shards; i++)
                {
                    long first = units * i / shards * RowAlignment;
                    long end = Math.Min(recordCount, units * (i + 1) / shards * RowAlignment);
                    ranges[i] = new PirShardRange(i, shards, first, end - first);
                }

                return ranges;
            }

            case PirSchemeKind.Lattice:
            {
                ArgumentNullException.ThrowIfNull(lattice);
                if (recordCount != lattice.RecordCount)
                {
                    ThrowHelper.Argument(nameof(recordCount), $"recordCount is {recordCount}; the lattice parameters are for {lattice.RecordCount}.");
                }

                int columns = lattice.Dimensions == 1 ? 1 : lattice.N2;
                if (shards > columns)
                {
                    ThrowHelper.ArgumentOutOfRange(nameof(shards), shards, $"at most {columns} (the plaintext matrix has {columns} columns{(lattice.Dimensions == 1 ? " in one dimension" : string.Empty)})");
                }

                var ranges = new PirShardRange[shards];
                for (int i = 0; i < shards; i++)
                {
                    long first = (long)columns * i / shards;
                    long end = (long)columns * (i + 1) / shards;
                    ranges[i] = new PirShardRange(i, shards, first, end - first);
                }

                return ranges;
            }

            default:
                ThrowHelper.Argument(nameof(scheme), $"scheme is {scheme}; expected {PirSchemeKind.XorBitVector}, {PirSchemeKind.XorDpf} or {PirSchemeKind.Lattice}.");
                return [];
        }
    }
}
