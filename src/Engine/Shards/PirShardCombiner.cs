using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine;

/// <summary>
/// Combines the shards' <see cref="PirPartialAnswer"/>s to one query into the answer a single server over the
/// whole database gives, byte for byte: XOR of the shares for the XOR schemes; for lattice PIR, the sum of the
/// shares modulo each ciphertext prime followed by the single server's final modulus switch.
/// </summary>
public sealed class PirShardCombiner
{
    private readonly LatticePirParameters? _lattice;
    private readonly int _residuesPerPart;

    /// <summary>A combiner for <paramref name="shards"/> shares of a <paramref name="scheme"/> database of <paramref name="recordBytes"/>-byte records.</summary>
    public PirShardCombiner(PirSchemeKind scheme, int recordBytes, int shards, LatticePirParameters? lattice = null)
    {
        if (shards < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(shards), shards, "at least 1");
        }

        if (recordBytes < 1 || recordBytes > XorAnswer.MaxRecordBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordBytes), recordBytes, $"1..{XorAnswer.MaxRecordBytes}");
        }

        switch (scheme)
        {
            case PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf:
                PayloadBytes = recordBytes;
                break;
            case PirSchemeKind.Lattice:
                ArgumentNullException.ThrowIfNull(lattice);
                if (lattice.RecordBytes != recordBytes)
                {
                    ThrowHelper.Argument(nameof(recordBytes), $"recordBytes is {recordBytes}; the lattice parameters are for {lattice.RecordBytes}.");
                }

                _lattice = lattice;
                _residuesPerPart = LatticePirServer.ShareLength(lattice);
                PayloadBytes = checked(lattice.PlaintextsPerRecord * _residuesPerPart * sizeof(ulong));
                break;
            default:
                ThrowHelper.Argument(nameof(scheme), $"scheme is {scheme}; expected {PirSchemeKind.XorBitVector}, {PirSchemeKind.XorDpf} or {PirSchemeKind.Lattice}.");
                break;
        }

        Scheme = scheme;
        RecordBytes = recordBytes;
        Shards = shards;
    }

    /// <summary>The scheme.</summary>
    public PirSchemeKind Scheme { get; }

    /// <summary>Bytes per record.</summary>
    public int RecordBytes { get; }

    /// <summary>How many shares make an answer.</summary>
    public int Shards { get; }

    /// <summary>Payload bytes of every share (what a shard sends back per query).</summary>
    public int PayloadBytes { get; }

    /// <summary>
    /// The answer from one share per shard (any order for XOR; lattice residues must each be below their prime,
    /// else <see cref="ArgumentException"/>).
    /// </summary>
    public PirAnswer Combine(ReadOnlySpan<PirPartialAnswer> shares)
    {
        if (shares.Length != Shards)
        {
            ThrowHelper.ArgumentLength(nameof(shares), shares.Length, Shards);
        }

        for (int i = 0; i < shares.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(shares[i]);
            if (shares[i].Scheme != Scheme || shares[i].Payload.Length != PayloadBytes)
            {
                ThrowHelper.Argument(nameof(shares), $"shares[{i}] is a {shares[i].Scheme} share of {shares[i].Payload.Length} bytes; expected {Scheme} with {PayloadBytes}.");
            }
        }

        if (_lattice is null)
        {
            var total = shares[0].Payload.ToArray();
            for (int i = 1; i < shares.Length; i++)
            {
                XorKernels.XorInto(total, shares[i].Payload);
            }

            return new XorAnswer(Scheme, total);
        }

        var moduli = _lattice.Encryption.CiphertextModuli;
        int n = _lattice.Encryption.N;
        var residues = new ulong[shares.Length][][];
        for (int i = 0; i < shares.Length; i++)
        {
            residues[i] = shares[i].ToResidues(_lattice.PlaintextsPerRecord, _residuesPerPart);
            foreach (var part in residues[i])
            {
                for (int r = 0; r < part.Length; r++)
                {
                    ulong q = moduli[r / n % moduli.Count];
                    if (part[r] >= q)
                    {
                        ThrowHelper.Argument(nameof(shares), $"shares[{i}] holds a residue {part[r]} not below its prime {q}.");
                    }
                }
            }
        }

        return LatticePirServer.Combine(_lattice, residues);
    }
}
