using System.Diagnostics;
using System.Numerics;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Precomputed tables of one <see cref="LatticeParameters"/>: a <see cref="Modulus"/> and NTT tables
/// per prime (ciphertext primes at 0..k-1, the special prime P at index k), Δ = ⌊q/t⌋ per prime,
/// and the constants of modulus switching and key switching. Residue polynomials are ulong arrays
/// laid out prime-major: prime i occupies [i·N, (i+1)·N).
/// </summary>
internal sealed class BfvContext
{
    private static readonly Dictionary<LatticeParameters, BfvContext> Cache = [];

    private BfvContext(LatticeParameters parameters)
    {
        Parameters = parameters;
        N = parameters.N;
        K = parameters.CiphertextModuli.Count;
        PlainBits = parameters.PlainModulusBits;
        PlainModulus = 1UL << PlainBits;
        Moduli = new Modulus[K + 1];
        Tables = new NttTables[K + 1];
        for (int i = 0; i <= K; i++)
        {
            Moduli[i] = new Modulus(i < K ? parameters.CiphertextModuli[i] : parameters.SpecialModulus);
            Tables[i] = new NttTables(Moduli[i], N);
        }

        Special = Moduli[K];
        ModulusProducts = new BigInteger[K + 1];
        ModulusProducts[0] = BigInteger.One;
        for (int i = 0; i < K; i++)
        {
            ModulusProducts[i + 1] = ModulusProducts[i] * Moduli[i].Value;
        }

        // Δ_L mod q_i for every level L (number of primes kept), as ModSwitch changes q.
        DeltaMod = new ulong[K + 1][];
        QModT = new ulong[K + 1];
        for (int level = 1; level <= K; level++)
        {
            var delta = ModulusProducts[level] / PlainModulus;
            QModT[level] = (ulong)(ModulusProducts[level] % PlainModulus);
            DeltaMod[level] = new ulong[level];
            for (int i = 0; i < level; i++)
            {
                DeltaMod[level][i] = (ulong)(delta % Moduli[i].Value);
            }
        }

        SpecialInverse = new ulong[K];
        SpecialMod = new ulong[K];
        for (int i = 0; i < K; i++)
        {
            SpecialInverse[i] = Moduli[i].Inverse(Special.Value % Moduli[i].Value);
            SpecialMod[i] = Special.Value % Moduli[i].Value;
        }

        // LastInverse[L][i] = q_(L-1)^-1 mod q_i, for dropping prime L-1.
        LastInverse = new ulong[K + 1][];
        for (int level = 2; level <= K; level++)
        {
            LastInverse[level] = new ulong[level - 1];
            for (int i = 0; i < level - 1; i++)
            {
                LastInverse[level][i] = Moduli[i].Inverse(Moduli[level - 1].Value % Moduli[i].Value);
            }
        }
    }

    public LatticeParameters Parameters { get; }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<uint, int[]> _galoisPermutations = new();
    private int[]? _slotExponents;

    /// <summary>
    /// The NTT-domain form of σ_g: NTT(σ_g(a))[i] = NTT(a)[perm[i]]. Slot i holds a(ψ^(e_i)) for an odd
    /// exponent e_i that depends only on the transform's layout (the same for every prime), and
    /// σ_g(a)(ψ^e) = a(ψ^(e·g)), so perm[i] is the slot of e_i·g mod 2N.
    /// </summary>
    public int[] GaloisPermutation(uint galoisElement) => _galoisPermutations.GetOrAdd(galoisElement, g =>
    {
        var exponents = SlotExponents();
        var slotOf = new int[2 * N];
        for (int i = 0; i < N; i++)
        {
            slotOf[exponents[i]] = i;
        }

        var perm = new int[N];
        for (int i = 0; i < N; i++)
        {
            perm[i] = slotOf[(int)((ulong)exponents[i] * g % (ulong)(2 * N))];
        }

        return perm;
    });

    // e_i with NTT(x)[i] = ψ^(e_i), found by transforming the monomial x modulo q_0.
    private int[] SlotExponents()
    {
        if (_slotExponents is null)
        {
            var mod = Moduli[0];
            ulong psi = Tables[0].Psi;
            var exponentOf = new Dictionary<ulong, int>();
            ulong power = 1;
            for (int e = 0; e < 2 * N; e++)
            {
                exponentOf[power] = e;
                power = mod.Mul(power, psi);
            }

            var x = new ulong[N];
            x[1] = 1;
            Ntt.Forward(x, Tables[0], KernelPath.Scalar);
            var exponents = new int[N];
            for (int i = 0; i < N; i++)
            {
                exponents[i] = exponentOf[x[i]];
            }

            _slotExponents = exponents;
        }

        return _slotExponents;
    }

    public int N { get; }

    /// <summary>Number of ciphertext primes k.</summary>
    public int K { get; }

    public int PlainBits { get; }

    public ulong PlainModulus { get; }

    /// <summary>Primes 0..k-1 then P at index k.</summary>
    public Modulus[] Moduli { get; }

    public NttTables[] Tables { get; }

    public Modulus Special { get; }

    /// <summary>ModulusProducts[L] = q_0·…·q_(L-1).</summary>
    public BigInteger[] ModulusProducts { get; }

    public ulong[][] DeltaMod { get; }

    /// <summary>QModT[L] = (q_0·…·q_(L-1)) mod t, for encoding round(q·m/t) = Δ·m + round((q mod t)·m / t).</summary>
    public ulong[] QModT { get; }

    public ulong[] SpecialInverse { get; }

    public ulong[] SpecialMod { get; }

    public ulong[][] LastInverse { get; }

    public static BfvContext Get(LatticeParameters parameters)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(parameters, out var context))
            {
                context = new BfvContext(parameters);
                Cache.Add(parameters, context);
            }

            return context;
        }
    }

    public Span<ulong> Residue(Span<ulong> poly, int prime) => poly.Slice(prime * N, N);

    public void ToNtt(Span<ulong> poly, int primes)
    {
        Debug.Assert(poly.Length >= primes * N);
        for (int i = 0; i < primes; i++)
        {
            Ntt.Forward(poly.Slice(i * N, N), Tables[i]);
        }
    }

    public void FromNtt(Span<ulong> poly, int primes)
    {
        Debug.Assert(poly.Length >= primes * N);
        for (int i = 0; i < primes; i++)
        {
            Ntt.Inverse(poly.Slice(i * N, N), Tables[i]);
        }
    }

    /// <summary>Writes a small signed polynomial into residue form for the primes in [0, primes) (k + 1 includes P).</summary>
    public void LiftSmall(ReadOnlySpan<sbyte> small, Span<ulong> poly, int primes)
    {
        for (int i = 0; i < primes; i++)
        {
            ulong q = Moduli[i].Value;
            var r = poly.Slice(i * N, N);
            for (int j = 0; j < N; j++)
            {
                r[j] = small[j] >= 0 ? (ulong)small[j] : q - (ulong)(-small[j]);
            }
        }
    }

    /// <summary>Lifts a plaintext (coefficients in [0, t)) to the centered representative in (−t/2, t/2] modulo each of the first <paramref name="primes"/> primes.</summary>
    public void LiftPlain(ReadOnlySpan<ulong> plain, Span<ulong> poly, int primes)
    {
        ulong half = PlainModulus >> 1;
        for (int i = 0; i < primes; i++)
        {
            ulong q = Moduli[i].Value;
            var r = poly.Slice(i * N, N);
            for (int j = 0; j < N; j++)
            {
                ulong v = plain[j];
                r[j] = v <= half ? v : q - (PlainModulus - v);
            }
        }
    }
}
