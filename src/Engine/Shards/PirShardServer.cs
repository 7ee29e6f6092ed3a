using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine;

/// <summary>
/// The server of one shard (see <see cref="PirSharding"/>): it keeps only its slice — its rows for XOR and
/// DPF PIR, its preprocessed plaintext columns for lattice PIR — and answers every query of the whole
/// database with a <see cref="PirPartialAnswer"/>. Queries are the whole database's queries, unchanged.
/// </summary>
public sealed class PirShardServer : IDisposable
{
    private readonly PirDatabase? _rows;
    private readonly XorPirServer? _xor;
    private readonly DpfPirServer? _dpf;
    private readonly LatticePirServer? _lattice;

    private PirShardServer(PirSchemeKind scheme, PirShardRange shard, long recordCount, int recordBytes, PirDatabase? rows, LatticePirServer? lattice, int threads)
    {
        Scheme = scheme;
        Shard = shard;
        RecordCount = recordCount;
        RecordBytes = recordBytes;
        _rows = rows;
        _lattice = lattice;
        if (rows is not null)
        {
            if (scheme == PirSchemeKind.XorBitVector)
            {
                _xor = new XorPirServer(rows, threads);
            }
            else
            {
                _dpf = new DpfPirServer(rows, shard.First, recordCount, threads);
            }
        }
    }

    /// <summary>The scheme of the queries this shard answers.</summary>
    public PirSchemeKind Scheme { get; }

    /// <summary>Which part of the database this shard holds.</summary>
    public PirShardRange Shard { get; }

    /// <summary>Records in the whole database.</summary>
    public long RecordCount { get; }

    /// <summary>Bytes per record.</summary>
    public int RecordBytes { get; }

    /// <summary>Bytes of the slice this shard keeps in native memory.</summary>
    public long SliceBytes => _rows is not null
        ? _rows.RowBytes
        : _lattice!.Parameters.PreprocessedBytes / _lattice.Parameters.N2 * Shard.Length;

    /// <summary>
    /// A shard of an XOR or DPF database: <paramref name="rows"/> holds the rows <paramref name="shard"/> names (and
    /// only those) of a database of <paramref name="recordCount"/> records. The shard owns <paramref name="rows"/>
    /// from here on and disposes it.
    /// </summary>
    public static PirShardServer ForRows(PirSchemeKind scheme, PirDatabase rows, PirShardRange shard, long recordCount, int threads = 1)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (scheme is not (PirSchemeKind.XorBitVector or PirSchemeKind.XorDpf))
        {
            ThrowHelper.Argument(nameof(scheme), $"scheme is {scheme}; expected {PirSchemeKind.XorBitVector} or {PirSchemeKind.XorDpf} (row shards).");
        }

        var expected = PirSharding.Split(scheme, recordCount, shard.Count);
        if (shard.Index < 0 || shard.Index >= expected.Length || expected[shard.Index] != shard)
        {
            ThrowHelper.Argument(nameof(shard), $"shard is {shard}; expected one of {PirSharding.RowAlignment}-aligned ranges PirSharding.Split returns.");
        }

        if (rows.RecordCount != shard.Length)
        {
            ThrowHelper.Argument(nameof(rows), $"rows holds {rows.RecordCount} records; the shard has {shard.Length}.");
        }

        if (threads < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(threads), threads, "at least 1");
        }

        return new PirShardServer(scheme, shard, recordCount, rows.RecordBytes, rows, null, threads);
    }

    /// <summary>
    /// A shard of a lattice database: preprocesses the plaintext columns <paramref name="shard"/> names from
    /// <paramref name="database"/> (the whole database, which the shard reads but does not keep). Parameters
    /// below 128-bit security are refused unless <paramref name="allowInsecure"/> (tests only).
    /// </summary>
    public static PirShardServer ForLattice(PirDatabase database, LatticePirParameters parameters, PirShardRange shard, int threads = 1, bool allowInsecure = false)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(parameters);
        var expected = PirSharding.Split(PirSchemeKind.Lattice, parameters.RecordCount, shard.Count, parameters);
        if (shard.Index < 0 || shard.Index >= expected.Length || expected[shard.Index] != shard)
        {
            ThrowHelper.Argument(nameof(shard), $"shard is {shard}; expected one of the column ranges PirSharding.Split returns.");
        }

        var server = new LatticePirServer(database, parameters, (int)shard.First, (int)shard.Length, threads, allowInsecure);
        return new PirShardServer(PirSchemeKind.Lattice, shard, parameters.RecordCount, parameters.RecordBytes, null, server, threads);
    }

    /// <summary>The lattice parameters (lattice shards only).</summary>
    public LatticePirParameters? LatticeParameters => _lattice?.Parameters;

    /// <summary>Whether queries must come with their client's evaluation key (lattice shards).</summary>
    public bool NeedsEvaluationKey => _lattice is not null;

    /// <summary>Answers one query of the whole database with this shard's share (lattice: with its client's Galois keys).</summary>
    public PirPartialAnswer Answer(PirQuery query, PirEvaluationKey? evaluationKey = null) =>
        evaluationKey is null ? AnswerBatch([query])[0] : AnswerBatch([query], [evaluationKey])[0];

    /// <summary>
    /// Answers several queries of the whole database in one pass over this shard's slice; lattice shards take one
    /// evaluation key per query, as <see cref="IPirServer.AnswerBatch"/> does. An empty batch returns an empty array.
    /// </summary>
    public PirPartialAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries, ReadOnlySpan<PirEvaluationKey> evaluationKeys = default)
    {
        if (queries.IsEmpty)
        {
            return [];
        }

        if (_lattice is not null)
        {
            var shares = _lattice.AnswerPartial(queries, evaluationKeys);
            var result = new PirPartialAnswer[shares.Length];
            for (int i = 0; i < shares.Length; i++)
            {
                result[i] = PirPartialAnswer.FromResidues(shares[i]);
            }

            return result;
        }

        PirAnswer[] answers = _xor is not null ? AnswerXor(queries) : _dpf!.AnswerBatch(queries);
        var partial = new PirPartialAnswer[answers.Length];
        for (int i = 0; i < answers.Length; i++)
        {
            partial[i] = new PirPartialAnswer(Scheme, ((XorAnswer)answers[i]).Payload.ToArray());
        }

        return partial;
    }

    // The shard's part of each selection vector: words from First / 64 on (First is a multiple of 128).
    private PirAnswer[] AnswerXor(ReadOnlySpan<PirQuery> queries)
    {
        long length = Shard.Length;
        int words = (int)XorQuery.WordsFor(length);
        int offset = (int)(Shard.First / 64);
        ulong mask = XorQuery.LastWordMask(length);
        var slices = new XorQuery[queries.Length];
        var buffer = new ulong[words];
        try
        {
            for (int q = 0; q < queries.Length; q++)
            {
                if (queries[q] is not XorQuery share)
                {
                    ThrowHelper.Argument(nameof(queries), $"queries[{q}] is a {queries[q]?.Scheme.ToString() ?? "null"} query; expected {PirSchemeKind.XorBitVector}.");
                    return [];
                }

                if (share.RecordCount != RecordCount)
                {
                    ThrowHelper.Argument(nameof(queries), $"queries[{q}] selects from {share.RecordCount} records; the database has {RecordCount}.");
                }

                share.Selection.Slice(offset, words).CopyTo(buffer);
                buffer[^1] &= mask;
                slices[q] = new XorQuery(length, buffer);
            }

            return _xor!.AnswerBatch(slices);
        }
        finally
        {
            // The slices are this server's selection share: zero them.
            CryptographicOperations.ZeroMemory(MemoryMarshal.AsBytes(buffer.AsSpan()));
            foreach (var slice in slices)
            {
                slice?.Dispose();
            }
        }
    }

    /// <summary>Zeroes and frees the slice.</summary>
    public void Dispose()
    {
        _rows?.Dispose();
        _lattice?.Dispose();
    }
}
