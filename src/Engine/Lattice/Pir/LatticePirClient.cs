using System.Security.Cryptography;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// The client of single-server lattice PIR (SealPIR's algorithm): holds the BFV secret key (zeroed on
/// dispose), makes the Galois keys the server needs to expand its queries (<see cref="GaloisKeys"/>,
/// the <see cref="IPirClient.EvaluationKey"/> a host uploads once per key period and passes with
/// every query), makes one compressed query per record and decrypts the answer.
/// </summary>
public sealed class LatticePirClient : IPirClient, IDisposable
{
    private readonly BfvContext _context;
    private readonly BfvSecretKey _secretKey;
    private LatticeGaloisKeys? _galoisKeys;

    /// <summary>
    /// Creates a client for <paramref name="parameters"/> with a fresh secret key. Parameters below
    /// 128-bit security are refused unless <paramref name="allowInsecure"/> (tests only).
    /// </summary>
    public LatticePirClient(LatticePirParameters parameters, bool allowInsecure = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        parameters.CheckSecure(allowInsecure);
        Parameters = parameters;
        _context = BfvContext.Get(parameters.Encryption);
        _secretKey = new BfvSecretKey(_context);
    }

    /// <summary>The database layout.</summary>
    public LatticePirParameters Parameters { get; }

    /// <inheritdoc />
    public PirEvaluationKey EvaluationKey => GaloisKeys;

    /// <inheritdoc />
    public PirSchemeKind Scheme => PirSchemeKind.Lattice;

    /// <inheritdoc />
    public int ServerCount => 1;

    /// <inheritdoc />
    public int RecordBytes => Parameters.RecordBytes;

    /// <summary>This client's Galois keys (made on first use, then the same object): what the server needs with each of its queries.</summary>
    public LatticeGaloisKeys GaloisKeys
    {
        get
        {
            if (_galoisKeys is null)
            {
                var elements = LatticeGaloisKeys.ElementsFor(Parameters);
                var keys = new BfvGaloisKey[elements.Length];
                for (int i = 0; i < elements.Length; i++)
                {
                    keys[i] = Bfv.GenerateGaloisKey(_context, _secretKey, elements[i]);
                }

                _galoisKeys = new LatticeGaloisKeys(Parameters, keys);
            }

            return _galoisKeys;
        }
    }

    /// <inheritdoc />
    PirQuery[] IPirClient.Query(long index) => [Query(index)];

    /// <summary>Makes the query for record <paramref name="index"/>.</summary>
    public LatticeQuery Query(long index)
    {
        if ((ulong)index >= (ulong)Parameters.RecordCount)
        {
            ThrowHelper.SecretIndexOutOfRange(nameof(index), Parameters.RecordCount);
        }

        var ctx = _context;
        int n = ctx.N;
        int k = ctx.K;
        long plaintext = index / Parameters.RecordsPerPlaintext;
        int row = (int)(plaintext / Parameters.N2);
        int column = (int)(plaintext % Parameters.N2);
        var message = new ulong[k * n];
        ulong roundUp = ctx.QModT[k] >= (ctx.PlainModulus >> 1) ? 1UL : 0UL;
        for (int i = 0; i < k; i++)
        {
            var mod = ctx.Moduli[i];
            // round(q/t) · 2^-ℓ: the ℓ expansion levels each double the message back to round(q/t)·1.
            ulong delta = mod.Add(ctx.DeltaMod[k][i], roundUp);
            ulong scale = mod.Inverse(mod.Pow(2, (ulong)Parameters.ExpansionLevels));
            ulong value = mod.Mul(delta, scale);
            message[(i * n) + row] = value;
            if (Parameters.Dimensions == 2)
            {
                message[(i * n) + Parameters.N1 + column] = value;
            }
        }

        var seed = SeededUniform.NewSeed();
        var c0 = new ulong[k * n];
        var a = new ulong[k * n];
        Bfv.EncryptRaw(ctx, _secretKey, message, k, seed, 0, c0, a);
        Array.Clear(message);
        return new LatticeQuery(Parameters, seed, c0);
    }

    /// <inheritdoc />
    public byte[] Recover(long index, ReadOnlySpan<PirAnswer> answers)
    {
        if (answers.Length != 1)
        {
            ThrowHelper.ArgumentLength(nameof(answers), answers.Length, 1);
        }

        if (answers[0] is not LatticeAnswer answer)
        {
            ThrowHelper.Argument(nameof(answers), $"answers[0] is {answers[0]?.GetType().Name ?? "null"}; expected {nameof(LatticeAnswer)}.");
            return [];
        }

        return Recover(index, answer);
    }

    /// <summary>Decrypts record <paramref name="index"/> from the server's answer.</summary>
    public byte[] Recover(long index, LatticeAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        if ((ulong)index >= (ulong)Parameters.RecordCount)
        {
            ThrowHelper.SecretIndexOutOfRange(nameof(index), Parameters.RecordCount);
        }

        int expected = Parameters.PlaintextsPerRecord * Parameters.AnswerCiphertextsPerSubDatabase;
        if (answer.CiphertextCount != expected || answer.Parameters.Encryption != Parameters.Encryption)
        {
            ThrowHelper.Argument(nameof(answer), $"answer has {answer.CiphertextCount} ciphertexts for {answer.Parameters.Encryption}; expected {expected} for {Parameters.Encryption}.");
        }

        var ctx = _context;
        int n = ctx.N;
        int logt = ctx.PlainBits;
        int slot = (int)(index % Parameters.RecordsPerPlaintext);
        var record = new byte[Parameters.RecordBytes];
        var plainBytes = new byte[Parameters.PlaintextBytes];
        for (int s = 0; s < Parameters.PlaintextsPerRecord; s++)
        {
            ulong[] plain;
            if (Parameters.Dimensions == 1)
            {
                plain = DecryptAtQ0(answer.Ciphertext(s));
            }
            else
            {
                plain = DecryptAtQ0(RecomposeFirstLevel(answer, s));
            }

            LatticePlaintextCodec.Decode(plain, plainBytes, logt);
            if (Parameters.PlaintextsPerRecord == 1)
            {
                plainBytes.AsSpan(slot * Parameters.RecordBytes, Parameters.RecordBytes).CopyTo(record);
            }
            else
            {
                int start = s * Parameters.PlaintextBytes;
                int length = Math.Min(Parameters.PlaintextBytes, Parameters.RecordBytes - start);
                plainBytes.AsSpan(0, length).CopyTo(record.AsSpan(start));
            }

            // The decrypted plaintext also holds the neighbouring records of the wanted one's plaintext.
            Array.Clear(plain);
        }

        CryptographicOperations.ZeroMemory(plainBytes);
        return record;
    }

    // d = 2: decrypts sub-database s's F answer ciphertexts into the base-t digits of the first-level
    // result (modulo q_0) and puts the digits back together into that ciphertext (c0 ‖ c1).
    private ulong[] RecomposeFirstLevel(LatticeAnswer answer, int s)
    {
        int n = _context.N;
        int logt = _context.PlainBits;
        int f = Parameters.AnswerCiphertextsPerSubDatabase;
        int pieces = Parameters.PiecesPerPolynomial;
        var inner = new ulong[2 * n];
        ulong q0 = _context.Moduli[0].Value;
        for (int poly = 0; poly < 2; poly++)
        {
            for (int piece = 0; piece < pieces; piece++)
            {
                var digits = DecryptAtQ0(answer.Ciphertext((s * f) + (poly * pieces) + piece));
                for (int c = 0; c < n; c++)
                {
                    inner[(poly * n) + c] |= digits[c] << (piece * logt);
                }
            }

            for (int c = 0; c < n; c++)
            {
                // Only a corrupted answer recomposes to q_0 or more; reduce rather than index out of range.
                inner[(poly * n) + c] %= q0;
            }
        }

        return inner;
    }

    private ulong[] DecryptAtQ0(ReadOnlySpan<ulong> ciphertext)
    {
        var ct = new BfvCiphertext(_context.N, 1, isNtt: false);
        ciphertext.CopyTo(ct.Data);
        return Bfv.Decrypt(_context, _secretKey, ct);
    }

    /// <summary>Decrypts with the secret key and measures the noise budget of every answer ciphertext (tests and diagnostics; never sent).</summary>
    internal double[] AnswerNoiseBudgets(LatticeAnswer answer)
    {
        var budgets = new double[answer.CiphertextCount];
        for (int i = 0; i < budgets.Length; i++)
        {
            var ct = new BfvCiphertext(_context.N, 1, isNtt: false);
            answer.Ciphertext(i).CopyTo(ct.Data);
            budgets[i] = Bfv.NoiseBudget(_context, _secretKey, ct);
        }

        return budgets;
    }

    /// <summary>
    /// For d = 2, the noise budget of each sub-database's first-level result after it was switched to q_0,
    /// recomposed from the answer's digits: the ciphertext that the second decryption in <see cref="Recover(long, LatticeAnswer)"/>
    /// opens (tests and diagnostics; never sent). Empty for d = 1.
    /// </summary>
    internal double[] FirstLevelNoiseBudgets(LatticeAnswer answer)
    {
        if (Parameters.Dimensions == 1)
        {
            return [];
        }

        var budgets = new double[Parameters.PlaintextsPerRecord];
        for (int s = 0; s < budgets.Length; s++)
        {
            var ct = new BfvCiphertext(_context.N, 1, isNtt: false);
            RecomposeFirstLevel(answer, s).CopyTo(ct.Data, 0);
            budgets[s] = Bfv.NoiseBudget(_context, _secretKey, ct);
        }

        return budgets;
    }

    internal BfvSecretKey SecretKey => _secretKey;

    /// <summary>Zeroes the secret key.</summary>
    public void Dispose() => _secretKey.Dispose();
}
