using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>Where one lattice answer spent its time.</summary>
/// <param name="Expansion">Seed expansion and oblivious query expansion (automorphisms, key switching).</param>
/// <param name="Processing">Both dimensions' products, decomposition and modulus switching.</param>
public readonly record struct LatticeAnswerTimings(TimeSpan Expansion, TimeSpan Processing);

/// <summary>
/// The server of single-server lattice PIR over one database snapshot. At construction the records
/// are packed into plaintexts, lifted modulo each ciphertext prime and transformed to NTT form once,
/// and stored as 32-bit values in 64-byte-aligned native memory laid out for the first-dimension
/// kernel (prime, chunk of NTT slots, column, row). The server keeps no client state: each query
/// is answered with the client's Galois keys passed beside it (<see cref="IPirServer"/>'s contract);
/// the host decides where keys live and for how long.
/// </summary>
public sealed unsafe class LatticePirServer : IPirServer, IDisposable
{
    private readonly BfvContext _context;
    private readonly ConcurrentBag<Workspace> _workspaces = [];
    private readonly ConcurrentDictionary<int, ulong[]> _monomials = new();
    private readonly int _threads;
    private readonly int _chunks;
    private uint* _db;
    private readonly nuint _dbBytes;

    // The plaintext columns this server holds: [_firstColumn, _firstColumn + _columns) of N2 (a shard holds a
    // range; a whole-database server holds all N2).
    private readonly int _firstColumn;
    private readonly int _columns;

    /// <summary>
    /// Preprocesses <paramref name="database"/> for <paramref name="parameters"/>; <paramref name="threads"/>
    /// workers answer each query. Parameters below 128-bit security are refused unless
    /// <paramref name="allowInsecure"/> (tests only).
    /// </summary>
    public LatticePirServer(PirDatabase database, LatticePirParameters parameters, int threads = 1, bool allowInsecure = false)
        : this(database, parameters, 0, parameters?.N2 ?? 0, threads, allowInsecure)
    {
    }

    /// <summary>
    /// A shard's server: it preprocesses and keeps only plaintext columns <c>[firstColumn, firstColumn + columns)</c>
    /// of <paramref name="database"/> (which it does not keep), and answers with <see cref="AnswerPartial"/>.
    /// </summary>
    internal LatticePirServer(PirDatabase database, LatticePirParameters parameters, int firstColumn, int columns, int threads, bool allowInsecure)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.CheckSecure(allowInsecure);
        if (database.RecordCount != parameters.RecordCount || database.RecordBytes != parameters.RecordBytes)
        {
            ThrowHelper.Argument(nameof(parameters), $"parameters are for {parameters.RecordCount} x {parameters.RecordBytes} B; the database is {database.RecordCount} x {database.RecordBytes} B.");
        }

        if (threads is < 1 or > 256)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(threads), threads, "1..256");
        }

        if (parameters.Encryption.N % LatticePirKernels.Chunk != 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(parameters), parameters.Encryption.N, $"N a multiple of {LatticePirKernels.Chunk}");
        }

        if (firstColumn < 0 || columns < 1 || firstColumn > parameters.N2 - columns)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(columns), columns, $"a column range inside 0..{parameters.N2} (first {firstColumn})");
        }

        Parameters = parameters;
        _firstColumn = firstColumn;
        _columns = columns;
        _threads = threads;
        _context = BfvContext.Get(parameters.Encryption);
        _chunks = _context.N / LatticePirKernels.Chunk;
        _dbBytes = (nuint)(parameters.PreprocessedBytes / parameters.N2 * columns);
        _db = (uint*)NativeMemory.AlignedAlloc(_dbBytes, 64);
        var timer = Stopwatch.StartNew();
        Preprocess(database);
        SetupTime = timer.Elapsed;
    }

    /// <summary>Frees the preprocessed database if <see cref="Dispose"/> was never called.</summary>
    ~LatticePirServer() => Free();

    /// <summary>The database layout.</summary>
    public LatticePirParameters Parameters { get; }

    /// <summary>Time the one-off preprocessing took.</summary>
    public TimeSpan SetupTime { get; }

    /// <summary>Vector width in bits of the kernels this machine dispatches to (0 = scalar).</summary>
    public static int KernelVectorWidth => KernelPaths.Best switch
    {
        KernelPath.Vector512 => 512,
        KernelPath.Vector256 => 256,
        _ => 0,
    };

    /// <summary>Which kernels to use (tests pin the scalar specification).</summary>
    internal KernelPath KernelPath { get; set; } = KernelPaths.Best;

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.Lattice;

    /// <inheritdoc />
    public bool NeedsEvaluationKey => true;

    /// <inheritdoc />
    public PirAnswer Answer(PirQuery query, PirEvaluationKey? evaluationKey = null)
    {
        var lattice = AsLatticeQuery(query, nameof(query));
        return AnswerCore([lattice], [AsGaloisKeys(evaluationKey, nameof(evaluationKey))], out _)[0];
    }

    /// <summary>
    /// Answers several queries with one pass over the preprocessed database: each query is expanded on
    /// its own, then every database column is multiplied by all the batch's first-dimension queries
    /// while it is in cache, then each query finishes its second dimension.
    /// </summary>
    public PirAnswer[] AnswerBatch(ReadOnlySpan<PirQuery> queries, ReadOnlySpan<PirEvaluationKey> evaluationKeys = default)
    {
        if (queries.IsEmpty)
        {
            return [];
        }

        if (evaluationKeys.Length != queries.Length)
        {
            ThrowHelper.ArgumentLength(nameof(evaluationKeys), evaluationKeys.Length, queries.Length);
        }

        var lattice = new LatticeQuery[queries.Length];
        var keys = new LatticeGaloisKeys[queries.Length];
        for (int i = 0; i < lattice.Length; i++)
        {
            lattice[i] = AsLatticeQuery(queries[i], nameof(queries));
            keys[i] = AsGaloisKeys(evaluationKeys[i], nameof(evaluationKeys));
        }

        // A PirAnswer[] rather than the covariant LatticeAnswer[], so callers can write to it or take spans.
        return [.. AnswerCore(lattice, keys, out _)];
    }

    /// <summary>Answers one query with its client's Galois keys and reports where the time went.</summary>
    public LatticeAnswer Answer(LatticeQuery query, LatticeGaloisKeys keys, out LatticeAnswerTimings timings) =>
        AnswerCore([AsLatticeQuery(query, nameof(query))], [AsGaloisKeys(keys, nameof(keys))], out timings)[0];

    private LatticeQuery AsLatticeQuery(PirQuery? query, string name)
    {
        if (query is not LatticeQuery lattice)
        {
            ThrowHelper.Argument(name, $"{name} holds a {query?.Scheme.ToString() ?? "null"} query; expected {PirSchemeKind.Lattice}.");
            return null;
        }

        if (lattice.Parameters != Parameters)
        {
            ThrowHelper.Argument(name, $"{name} holds a query for {lattice.Parameters}; expected {Parameters}.");
        }

        return lattice;
    }

    private LatticeGaloisKeys AsGaloisKeys(PirEvaluationKey? key, string name)
    {
        if (key is not LatticeGaloisKeys keys)
        {
            ThrowHelper.Argument(name, key is null
                ? $"{name} is missing; lattice PIR answers each query with its client's Galois keys."
                : $"{name} holds a {key.Scheme} key; expected {PirSchemeKind.Lattice} Galois keys.");
            return null;
        }

        if (keys.Parameters != Parameters)
        {
            ThrowHelper.Argument(name, $"{name} holds keys for {keys.Parameters}; expected {Parameters}.");
        }

        return keys;
    }

    private LatticeAnswer[] AnswerCore(LatticeQuery[] queries, LatticeGaloisKeys[] keys, out LatticeAnswerTimings timings)
    {
        if (_columns != Parameters.N2)
        {
            ThrowHelper.InvalidOperation($"This server holds columns {_firstColumn}..{_firstColumn + _columns} of {Parameters.N2}, a shard: it answers partial shares, not answers.");
        }

        var timer = Stopwatch.StartNew();
        TimeSpan expansion = default;
        var answers = Run(queries, keys, Finish, () => expansion = timer.Elapsed);
        timings = new LatticeAnswerTimings(expansion / queries.Length, (timer.Elapsed - expansion) / queries.Length);
        return answers;
    }

    // Expands each query, runs the first dimension for the whole batch in one pass, then finishes each query.
    private T[] Run<T>(LatticeQuery[] queries, LatticeGaloisKeys[] keys, Func<BfvCiphertext[], Workspace, T> finish, Action? expanded = null)
    {
        ObjectDisposedException.ThrowIf(_db is null, this);
        var workspaces = new Workspace[queries.Length];
        var expandedQueries = new BfvCiphertext[queries.Length][];
        var results = new T[queries.Length];
        try
        {
            for (int i = 0; i < queries.Length; i++)
            {
                workspaces[i] = _workspaces.TryTake(out var w) ? w : new Workspace(Parameters, _columns);
                expandedQueries[i] = Expand(queries[i], keys[i], workspaces[i]);
            }

            expanded?.Invoke();
            for (int i = 0; i < queries.Length; i++)
            {
                LayOutFirstDimensionQuery(expandedQueries[i], workspaces[i]);
            }

            FirstDimension(workspaces);
            for (int i = 0; i < queries.Length; i++)
            {
                results[i] = finish(expandedQueries[i], workspaces[i]);
            }
        }
        finally
        {
            foreach (var w in workspaces)
            {
                if (w is not null)
                {
                    _workspaces.Add(w);
                }
            }
        }

        return results;
    }

    private void ParallelFor(int count, Action<int> body)
    {
        if (_threads == 1 || count == 1)
        {
            for (int i = 0; i < count; i++)
            {
                body(i);
            }
        }
        else
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = _threads }, body);
        }
    }

    /// <summary>
    /// The buffers one answer needs (expanded query, the first dimension's query layout and results),
    /// about 2·(N1 + N2 + N2·s)·k·N·8 bytes; reused across queries so answers do not churn the
    /// large-object heap.
    /// </summary>
    internal sealed class Workspace
    {
        public Workspace(LatticePirParameters p, int columns)
        {
            int n = p.Encryption.N;
            int k = p.Encryption.CiphertextModuli.Count;
            int total = p.Dimensions == 1 ? p.N1 : p.N1 + p.N2;
            Expanded = new BfvCiphertext[total];
            for (int i = 0; i < total; i++)
            {
                Expanded[i] = new BfvCiphertext(n, k, isNtt: false);
            }

            Query = new ulong[(long)k * n * p.N1 * 2];
            FirstLevel = new ulong[p.PlaintextsPerRecord][];
            for (int s = 0; s < FirstLevel.Length; s++)
            {
                FirstLevel[s] = new ulong[(long)columns * 2 * k * n];
            }
        }

        public BfvCiphertext[] Expanded { get; }

        public ulong[] Query { get; }

        public ulong[][] FirstLevel { get; }
    }

    /// <summary>The query ciphertext expanded obliviously into encryptions of its coefficients (coefficient form).</summary>
    internal BfvCiphertext[] Expand(LatticeQuery query, LatticeGaloisKeys keys) => Expand(query, keys, new Workspace(Parameters, _columns));

    // The whole expansion stays in the NTT domain: automorphisms are slot permutations, the shift by
    // x^(-2^level) is a product with that monomial's transform, and the leaves come out ready for the
    // products (no transform per leaf); c1 is expanded from the seed directly in NTT form.
    private BfvCiphertext[] Expand(LatticeQuery query, LatticeGaloisKeys keys, Workspace workspace)
    {
        var ctx = _context;
        int n = ctx.N;
        int k = ctx.K;
        var list = workspace.Expanded;
        int total = list.Length;
        foreach (var c in list)
        {
            c.IsNtt = true;
        }

        var ct = list[0];
        query.C0.CopyTo(ct.C0);
        ctx.ToNtt(ct.C0, k);
        Bfv.ExpandSeed(ctx, query.Seed, 0, k, ct.C1);
        for (int level = 0; level < Parameters.ExpansionLevels; level++)
        {
            int span = 1 << level;
            var key = keys.Keys[level];
            var shift = MonomialNtt((2 * n) - span); // x^(-2^level) = -x^(N - 2^level)
            ParallelFor(Math.Min(span, total), a =>
            {
                var c = list[a];
                var rotated = Scratch.Get(Scratch.Expansion, 2 * k * n).AsSpan(0, 2 * k * n);
                var r0 = rotated[..(k * n)];
                var r1 = rotated[(k * n)..];
                Bfv.ApplyGaloisNtt(ctx, c, key, r0, r1);
                if (a + span < total)
                {
                    // odd = (c − σ(c)) · x^(-2^level)
                    var odd = list[a + span];
                    for (int poly = 0; poly < 2; poly++)
                    {
                        var rp = poly == 0 ? r0 : r1;
                        for (int i = 0; i < k; i++)
                        {
                            var target = odd.Poly(poly).Slice(i * n, n);
                            PolyKernels.Sub(c.Poly(poly).Slice(i * n, n), rp.Slice(i * n, n), target, ctx.Moduli[i]);
                            PolyKernels.Mul(target, shift.AsSpan(i * n, n), target, ctx.Moduli[i]);
                        }
                    }
                }

                for (int i = 0; i < k; i++)
                {
                    PolyKernels.Add(c.C0.Slice(i * n, n), r0.Slice(i * n, n), c.C0.Slice(i * n, n), ctx.Moduli[i]);
                    PolyKernels.Add(c.C1.Slice(i * n, n), r1.Slice(i * n, n), c.C1.Slice(i * n, n), ctx.Moduli[i]);
                }
            });
        }

        return list;
    }

    // NTT form of the monomial x^power (power in [0, 2N)) modulo each ciphertext prime, cached.
    private ulong[] MonomialNtt(int power) => _monomials.GetOrAdd(power, pw =>
    {
        var ctx = _context;
        int n = ctx.N;
        var result = new ulong[ctx.K * n];
        for (int i = 0; i < ctx.K; i++)
        {
            var r = result.AsSpan(i * n, n);
            var one = new ulong[n];
            one[0] = 1;
            Bfv.MultiplyByMonomialResidue(one, r, pw, ctx.Moduli[i]);
            Ntt.Forward(r, ctx.Tables[i]);
        }

        return result;
    });

    private void Preprocess(PirDatabase database)
    {
        var p = Parameters;
        var ctx = _context;
        int n = ctx.N;
        int k = ctx.K;
        int n1 = p.N1;
        int n2 = _columns;
        int slots = n1 * n2;
        int perSubDatabase = Math.Max(1, Math.Min(_threads, slots));
        // Workers take (sub-database, range of plaintext slots) pairs, so setup scales with threads
        // whether records span plaintexts or not.
        ParallelFor(p.PlaintextsPerRecord * perSubDatabase, work =>
        {
            int s = work / perSubDatabase;
            int part = work % perSubDatabase;
            int firstSlot = (int)((long)slots * part / perSubDatabase);
            int endSlot = (int)((long)slots * (part + 1) / perSubDatabase);
            var bytes = new byte[p.PlaintextBytes];
            var plain = new ulong[n];
            var lifted = new ulong[k * n];
            var record = new byte[p.RecordBytes];
            for (int local = firstSlot; local < endSlot; local++)
            {
                // local numbers this server's slots row by row over its columns; u is the plaintext's index in the whole matrix.
                int u = (local / n2 * p.N2) + _firstColumn + (local % n2);
                Array.Clear(bytes);
                if (u < p.PlaintextCount)
                {
                    if (p.PlaintextsPerRecord == 1)
                    {
                        long first = (long)u * p.RecordsPerPlaintext;
                        int count = (int)Math.Min(p.RecordsPerPlaintext, p.RecordCount - first);
                        for (int r = 0; r < count; r++)
                        {
                            database.CopyRecord(first + r, bytes.AsSpan(r * p.RecordBytes, p.RecordBytes));
                        }
                    }
                    else
                    {
                        database.CopyRecord(u, record);
                        int start = s * p.PlaintextBytes;
                        int length = Math.Min(p.PlaintextBytes, p.RecordBytes - start);
                        record.AsSpan(start, length).CopyTo(bytes);
                    }
                }

                LatticePlaintextCodec.Encode(bytes, plain, ctx.PlainBits);
                ctx.LiftPlain(plain, lifted, k);
                ctx.ToNtt(lifted, k);
                int row = local / n2;
                int column = local % n2;
                for (int r = 0; r < k; r++)
                {
                    for (int c = 0; c < _chunks; c++)
                    {
                        uint* dst = ChunkBase(s, r, c) + (((long)column * n1) + row) * LatticePirKernels.Chunk;
                        for (int x = 0; x < LatticePirKernels.Chunk; x++)
                        {
                            dst[x] = (uint)lifted[(r * n) + (c * LatticePirKernels.Chunk) + x];
                        }
                    }
                }
            }
        });
    }

    // Start of the (sub-database, prime, chunk) block: this server's columns × N1 rows × Chunk slots.
    private uint* ChunkBase(int s, int prime, int chunk) =>
        _db + ((((long)s * _context.K) + prime) * _chunks + chunk) * Parameters.N1 * _columns * LatticePirKernels.Chunk;

    internal LatticeAnswer Process(BfvCiphertext[] expanded)
    {
        var workspace = new Workspace(Parameters, _columns);
        LayOutFirstDimensionQuery(expanded, workspace);
        FirstDimension([workspace]);
        return Finish(expanded, workspace);
    }

    // The first N1 expanded ciphertexts in NTT form, laid out for the kernel: [prime][chunk][row][poly][slot].
    private void LayOutFirstDimensionQuery(BfvCiphertext[] expanded, Workspace workspace)
    {
        var ctx = _context;
        int n = ctx.N;
        int k = ctx.K;
        int n1 = Parameters.N1;
        const int chunk = LatticePirKernels.Chunk;
        var query = workspace.Query;
        ParallelFor(n1, i =>
        {
            var ct = expanded[i];
            Bfv.ToNtt(ctx, ct);
            for (int poly = 0; poly < 2; poly++)
            {
                var src = ct.Poly(poly);
                for (int r = 0; r < k; r++)
                {
                    for (int c = 0; c < _chunks; c++)
                    {
                        long dst = ((((long)r * _chunks) + c) * n1 + i) * 2 * chunk + (poly * chunk);
                        src.Slice((r * n) + (c * chunk), chunk).CopyTo(query.AsSpan((int)dst, chunk));
                    }
                }
            }
        });
    }

    // One pass over the database for the whole batch: blocks of (sub-database, prime, chunk) in
    // parallel; within a block, each column is used by every query of the batch while it is in cache.
    private void FirstDimension(Workspace[] batch)
    {
        var p = Parameters;
        var ctx = _context;
        int n = ctx.N;
        int k = ctx.K;
        int n1 = p.N1;
        int n2 = _columns;
        const int chunk = LatticePirKernels.Chunk;
        int columnStride = 2 * k * n;
        var path = KernelPath;
        ParallelFor(p.PlaintextsPerRecord * k * _chunks, block =>
        {
            int s = block / (k * _chunks);
            int r = block / _chunks % k;
            int c = block % _chunks;
            long queryOffset = ((((long)r * _chunks) + c) * n1) * 2 * chunk;
            long outputOffset = ((long)r * n) + (c * chunk);
            uint* db = ChunkBase(s, r, c);
            if (batch.Length == 1)
            {
                fixed (ulong* q = &batch[0].Query[queryOffset])
                fixed (ulong* output = &batch[0].FirstLevel[s][outputOffset])
                {
                    LatticePirKernels.FirstDimension(db, q, n1, n2, ctx.Moduli[r], output, columnStride, k * n, path);
                }

                return;
            }

            for (int j = 0; j < n2; j++)
            {
                foreach (var w in batch)
                {
                    fixed (ulong* q = &w.Query[queryOffset])
                    fixed (ulong* output = &w.FirstLevel[s][outputOffset + ((long)j * columnStride)])
                    {
                        LatticePirKernels.FirstDimension(db + ((long)j * n1 * chunk), q, n1, 1, ctx.Moduli[r], output, columnStride, k * n, path);
                    }
                }
            }
        });
    }

    private LatticeAnswer Finish(BfvCiphertext[] expanded, Workspace workspace)
    {
        var p = Parameters;
        int columnStride = 2 * _context.K * _context.N;
        var firstLevel = workspace.FirstLevel;
        var answers = new List<ulong[]>();
        for (int s = 0; s < p.PlaintextsPerRecord; s++)
        {
            if (p.Dimensions == 1)
            {
                answers.Add(SwitchToQ0(_context, firstLevel[s].AsSpan(0, columnStride)));
            }
            else
            {
                var total = SecondDimensionSum(firstLevel[s], expanded);
                var digits = new ulong[total.Length / columnStride][];
                ParallelFor(digits.Length, digit => digits[digit] = SwitchToQ0(_context, total.AsSpan(digit * columnStride, columnStride)));
                answers.AddRange(digits);
            }
        }

        return new LatticeAnswer(p, [.. answers]);
    }

    /// <summary>
    /// This shard's share of the answers to <paramref name="queries"/> (each with its client's Galois keys): for
    /// each query, the second dimension's accumulators over this server's columns, still modulo every ciphertext
    /// prime and in NTT form (a whole-database server's one-dimensional first level). Shares of all shards add up
    /// (modulo each prime) to what a whole-database server accumulates before its final modulus switch;
    /// <see cref="Combine"/> does both.
    /// </summary>
    internal ulong[][][] AnswerPartial(ReadOnlySpan<PirQuery> queries, ReadOnlySpan<PirEvaluationKey> evaluationKeys)
    {
        if (evaluationKeys.Length != queries.Length)
        {
            ThrowHelper.ArgumentLength(nameof(evaluationKeys), evaluationKeys.Length, queries.Length);
        }

        var lattice = new LatticeQuery[queries.Length];
        var keys = new LatticeGaloisKeys[queries.Length];
        for (int i = 0; i < lattice.Length; i++)
        {
            lattice[i] = AsLatticeQuery(queries[i], nameof(queries));
            keys[i] = AsGaloisKeys(evaluationKeys[i], nameof(evaluationKeys));
        }

        return Run(lattice, keys, (expanded, workspace) =>
        {
            var p = Parameters;
            int columnStride = 2 * _context.K * _context.N;
            var shares = new ulong[p.PlaintextsPerRecord][];
            for (int s = 0; s < shares.Length; s++)
            {
                shares[s] = p.Dimensions == 1 ? workspace.FirstLevel[s].AsSpan(0, columnStride).ToArray() : SecondDimensionSum(workspace.FirstLevel[s], expanded);
            }

            return shares;
        });
    }

    /// <summary>
    /// Adds the shards' shares of one answer (from <see cref="AnswerPartial"/>, each laid out per sub-database as
    /// digits × (c0, c1) × primes × N slots) modulo each prime and finishes it as a whole-database server would.
    /// </summary>
    internal static LatticeAnswer Combine(LatticePirParameters parameters, ReadOnlySpan<ulong[][]> shares)
    {
        var ctx = BfvContext.Get(parameters.Encryption);
        int n = ctx.N;
        int k = ctx.K;
        int columnStride = 2 * k * n;
        var answers = new List<ulong[]>();
        for (int s = 0; s < parameters.PlaintextsPerRecord; s++)
        {
            var total = shares[0][s].ToArray();
            for (int shard = 1; shard < shares.Length; shard++)
            {
                for (int residue = 0; residue < total.Length / n; residue++)
                {
                    var span = total.AsSpan(residue * n, n);
                    PolyKernels.Add(span, shares[shard][s].AsSpan(residue * n, n), span, ctx.Moduli[residue % k]);
                }
            }

            for (int digit = 0; digit < total.Length / columnStride; digit++)
            {
                answers.Add(SwitchToQ0(ctx, total.AsSpan(digit * columnStride, columnStride)));
            }
        }

        return new LatticeAnswer(parameters, [.. answers]);
    }

    /// <summary>Ciphertext values one shard's share of one answer holds per sub-database.</summary>
    internal static int ShareLength(LatticePirParameters parameters) =>
        (parameters.Dimensions == 1 ? 1 : 2 * parameters.PiecesPerPolynomial) * 2 * parameters.Encryption.CiphertextModuli.Count * parameters.Encryption.N;

    // NTT-form ciphertext over k primes → coefficient form → modulus switched to q_0 (c0 ‖ c1, 2N values).
    private static ulong[] SwitchToQ0(BfvContext ctx, Span<ulong> nttCiphertext)
    {
        int n = ctx.N;
        int k = ctx.K;
        SwitchToQ0InPlace(ctx, nttCiphertext, KernelPaths.Best);
        var result = new ulong[2 * n];
        nttCiphertext[..n].CopyTo(result);
        nttCiphertext.Slice(k * n, n).CopyTo(result.AsSpan(n));
        return result;
    }

    // In place: both polynomials leave the NTT domain, then Bfv's modulus switch drops primes k-1 … 1
    // with rounding; residue 0 of each polynomial then holds the ciphertext modulo q_0.
    private static void SwitchToQ0InPlace(BfvContext ctx, Span<ulong> ciphertext, KernelPath path)
    {
        int n = ctx.N;
        int k = ctx.K;
        ctx.FromNtt(ciphertext[..(k * n)], k);
        ctx.FromNtt(ciphertext.Slice(k * n, k * n), k);
        Bfv.ModSwitchToFirstInPlace(ctx, ciphertext, k, path);
    }

    // The second dimension over this server's columns, before the final modulus switch: one accumulator per
    // digit, f × (c0, c1) × k primes × N slots in NTT form.
    private ulong[] SecondDimensionSum(ulong[] firstLevel, BfvCiphertext[] expanded)
    {
        var p = Parameters;
        var ctx = _context;
        int n = ctx.N;
        int k = ctx.K;
        int n1 = p.N1;
        int n2 = _columns;
        int pieces = p.PiecesPerPolynomial;
        int f = 2 * pieces;
        int ctLength = 2 * k * n;
        int logt = ctx.PlainBits;
        ulong tMask = ctx.PlainModulus - 1;

        ParallelFor(n2, j => Bfv.ToNtt(ctx, expanded[n1 + _firstColumn + j]));

        // Each worker takes a range of columns: switch column j's first-level result to q_0, cut it into
        // base-t digits (the second dimension's plaintexts), lift and transform each, and accumulate
        // query2_j · digit into one accumulator per digit, lazily (at most 15 products per reduction).
        int workers = Math.Min(_threads, n2);
        var partial = new ulong[workers][];
        ParallelFor(workers, w =>
        {
            int first = (int)((long)n2 * w / workers);
            int end = (int)((long)n2 * (w + 1) / workers);
            var acc = new ulong[f * ctLength];
            var piece = new ulong[n];
            var lifted = new ulong[k * n];
            int pending = 0;
            for (int j = first; j < end; j++)
            {
                var column = firstLevel.AsSpan(j * ctLength, ctLength);
                SwitchToQ0InPlace(ctx, column, KernelPath);
                var q = expanded[n1 + _firstColumn + j];
                for (int poly = 0; poly < 2; poly++)
                {
                    var small = column.Slice(poly * k * n, n);
                    for (int d = 0; d < pieces; d++)
                    {
                        for (int c = 0; c < n; c++)
                        {
                            piece[c] = (small[c] >> (d * logt)) & tMask;
                        }

                        ctx.LiftPlain(piece, lifted, k);
                        ctx.ToNtt(lifted, k);
                        int digit = (poly * pieces) + d;
                        for (int qPoly = 0; qPoly < 2; qPoly++)
                        {
                            var qp = q.Poly(qPoly);
                            for (int r = 0; r < k; r++)
                            {
                                PolyKernels.MulAccumulate(qp.Slice(r * n, n), lifted.AsSpan(r * n, n), acc.AsSpan((digit * ctLength) + (((qPoly * k) + r) * n), n));
                            }
                        }
                    }
                }

                if (++pending == 15)
                {
                    ReduceAll(acc, k, n);
                    pending = 0;
                }
            }

            ReduceAll(acc, k, n);
            partial[w] = acc;
        });

        var total = partial[0];
        for (int w = 1; w < workers; w++)
        {
            for (int residue = 0; residue < total.Length / n; residue++)
            {
                var span = total.AsSpan(residue * n, n);
                PolyKernels.Add(span, partial[w].AsSpan(residue * n, n), span, ctx.Moduli[residue % k]);
            }
        }

        return total;
    }

    // Reduces every residue of a [..][prime][slot] accumulator (residue i belongs to prime i mod k).
    private void ReduceAll(ulong[] acc, int k, int n)
    {
        for (int residue = 0; residue < acc.Length / n; residue++)
        {
            var span = acc.AsSpan(residue * n, n);
            PolyKernels.ReduceWide(span, span, _context.Moduli[residue % k]);
        }
    }

    private void Free()
    {
        if (_db is not null)
        {
            NativeMemory.Clear(_db, _dbBytes);
            NativeMemory.AlignedFree(_db);
            _db = null;
        }
    }

    /// <summary>Zeroes and frees the preprocessed database.</summary>
    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }
}
