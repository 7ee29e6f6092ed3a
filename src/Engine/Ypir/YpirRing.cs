using System.Buffers.Binary;
using System.Diagnostics;
using System.Security.Cryptography;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// The ring R_Q = Z_Q[x]/(x^d + 1), Q = p0·p1, as both sides of YPIR use it: two residue
/// polynomials per element, NTT tables, the automorphisms τ_g (g = 2^ℓ + 1) as NTT-slot permutations,
/// the monomials x^(d/2^ℓ) in NTT form, and exact conversions between residues, Z_Q, Z_(2^32) and
/// signed integers. Shared per preset.
/// </summary>
internal sealed class YpirRing
{
    private static readonly Dictionary<YpirPreset, YpirRing> Cache = [];

    private YpirRing(YpirPreset preset)
    {
        Preset = preset;
        D = preset.RingDegree;
        LogD = preset.LogDegree;
        P0 = new Modulus(preset.Primes[0]);
        P1 = new Modulus(preset.Primes[1]);
        Moduli = [P0, P1];
        Tables = [new NttTables(P0, D), new NttTables(P1, D)];
        Q = P0.Value * P1.Value;
        P0InvModP1 = P1.Inverse(P1.Reduce(P0.Value));
        DInv = [P0.Inverse((ulong)D), P1.Inverse((ulong)D)];
        Gadget = new ulong[2][];
        for (int i = 0; i < 2; i++)
        {
            Gadget[i] = new ulong[preset.GadgetDigits];
            for (int k = 0; k < preset.GadgetDigits; k++)
            {
                Gadget[i][k] = Moduli[i].ReduceWide(1UL << (k * preset.GadgetBits)) % Moduli[i].Value;
            }
        }

        int[] exponents = SlotExponents();
        var slotOf = new int[2 * D];
        for (int i = 0; i < D; i++)
        {
            slotOf[exponents[i]] = i;
        }

        Permutations = new int[LogD + 1][];
        Monomials = new ulong[LogD + 1][][];
        MonomialShoup = new ulong[2 * (LogD + 1)][];
        MonomialShoup[0] = [];
        MonomialShoup[1] = [];
        for (int level = 1; level <= LogD; level++)
        {
            ulong g = (1UL << level) + 1;
            var perm = new int[D];
            for (int i = 0; i < D; i++)
            {
                perm[i] = slotOf[(int)((ulong)exponents[i] * g % (ulong)(2 * D))];
            }

            Permutations[level] = perm;
            Monomials[level] = new ulong[2][];
            for (int i = 0; i < 2; i++)
            {
                var x = new ulong[D];
                x[D >> level] = 1;
                Ntt.Forward(x, Tables[i], KernelPath.Scalar);
                Monomials[level][i] = x;
                MonomialShoup[(level * 2) + i] = [.. x.Select(Moduli[i].ShoupOf)];
            }
        }
    }

    public YpirPreset Preset { get; }

    public int D { get; }

    public int LogD { get; }

    public Modulus P0 { get; }

    public Modulus P1 { get; }

    public Modulus[] Moduli { get; }

    public NttTables[] Tables { get; }

    /// <summary>Q = p0·p1 &lt; 2^54.</summary>
    public ulong Q { get; }

    /// <summary>p0^(−1) mod p1, for CRT.</summary>
    public ulong P0InvModP1 { get; }

    /// <summary>d^(−1) mod each prime (leaves are pre-scaled so the packing's factor d cancels).</summary>
    public ulong[] DInv { get; }

    /// <summary>Gadget powers B^k mod each prime.</summary>
    public ulong[][] Gadget { get; }

    /// <summary>Permutations[ℓ]: NTT(τ_g(a))[i] = NTT(a)[perm[i]] for g = 2^ℓ + 1.</summary>
    public int[][] Permutations { get; }

    /// <summary>Monomials[ℓ][prime]: NTT form of x^(d/2^ℓ).</summary>
    public ulong[][][] Monomials { get; }

    /// <summary>MonomialShoup[ℓ·2 + prime]: Shoup companions of <see cref="Monomials"/>.</summary>
    public ulong[][] MonomialShoup { get; }

    public static YpirRing For(YpirPreset preset)
    {
        lock (Cache)
        {
            if (!Cache.TryGetValue(preset, out var ring))
            {
                ring = new YpirRing(preset);
                Cache[preset] = ring;
            }

            return ring;
        }
    }

    /// <summary>The value mod Q with residues r0 mod p0, r1 mod p1 (Garner), in [0, Q).</summary>
    public ulong Crt(ulong r0, ulong r1)
    {
        ulong t = P1.Mul(P1.Sub(r1, P1.Reduce(r0)), P0InvModP1);
        return r0 + (P0.Value * t);
    }

    /// <summary>The centered representative of x mod Q, in (−Q/2, Q/2].</summary>
    public long Centered(ulong x) => x > Q / 2 ? (long)x - (long)Q : (long)x;

    /// <summary>round(x·Q / 2^32) mod Q: switches a value mod 2^32 up to Q.</summary>
    public ulong LiftFrom32(uint x)
    {
        UInt128 scaled = ((UInt128)x * Q) + (1UL << 31);
        ulong r = (ulong)(scaled >> 32);
        return r == Q ? 0 : r;
    }

    /// <summary>round(x·2^bits / Q) mod 2^bits: switches a value mod Q down to 2^bits.</summary>
    public ulong SwitchDown(ulong x, int bits)
    {
        UInt128 scaled = ((UInt128)x << bits) + (Q / 2);
        return (ulong)(scaled / Q) & ((1UL << bits) - 1);
    }

    /// <summary>Writes the residues of a signed integer into slot <paramref name="i"/> of both residue polynomials.</summary>
    public void SetSigned(Span<ulong> r0, Span<ulong> r1, int i, long v)
    {
        r0[i] = P0.FromSigned(v);
        r1[i] = P1.FromSigned(v);
    }

    /// <summary>Forward NTT of both residues.</summary>
    public void Forward(Span<ulong> r0, Span<ulong> r1)
    {
        Ntt.Forward(r0, Tables[0]);
        Ntt.Forward(r1, Tables[1]);
    }

    /// <summary>Inverse NTT of both residues.</summary>
    public void Inverse(Span<ulong> r0, Span<ulong> r1)
    {
        Ntt.Inverse(r0, Tables[0]);
        Ntt.Inverse(r1, Tables[1]);
    }

    /// <summary>
    /// The exact negacyclic product of a polynomial with 32-bit-bounded signed coefficients and the
    /// NTT form of a small one, reduced mod 2^32: valid while every coefficient of the integer product
    /// stays below Q/2 in magnitude (callers bound it).
    /// </summary>
    public void MultiplyMod32(ReadOnlySpan<long> a, ReadOnlySpan<ulong> smallNtt0, ReadOnlySpan<ulong> smallNtt1, Span<uint> destination)
    {
        var r0 = new ulong[D];
        var r1 = new ulong[D];
        for (int i = 0; i < D; i++)
        {
            SetSigned(r0, r1, i, a[i]);
        }

        Forward(r0, r1);
        for (int i = 0; i < D; i++)
        {
            r0[i] = P0.Mul(r0[i], smallNtt0[i]);
            r1[i] = P1.Mul(r1[i], smallNtt1[i]);
        }

        Inverse(r0, r1);
        for (int i = 0; i < D; i++)
        {
            destination[i] = unchecked((uint)Centered(Crt(r0[i], r1[i])));
        }
    }

    // e_i with NTT(x)[i] = ψ^(e_i), found by transforming the monomial x.
    private int[] SlotExponents()
    {
        var mod = P0;
        ulong psi = Tables[0].Psi;
        var exponentOf = new Dictionary<ulong, int>();
        ulong power = 1;
        for (int e = 0; e < 2 * D; e++)
        {
            exponentOf[power] = e;
            power = mod.Mul(power, psi);
        }

        var x = new ulong[D];
        x[1] = 1;
        Ntt.Forward(x, Tables[0], KernelPath.Scalar);
        var exponents = new int[D];
        for (int i = 0; i < D; i++)
        {
            exponents[i] = exponentOf[x[i]];
        }

        Debug.Assert(exponents.All(e => (e & 1) == 1));
        return exponents;
    }
}

/// <summary>
/// Public randomness expanded from <see cref="YpirParameters.PublicSeed"/>: AES-256-CTR keyed by the
/// seed, counter block = domain (8 bytes LE) ‖ block index (8 bytes LE), read as little-endian 32-bit words.
/// Domains: 0x1_0000_0000 + block for the query matrix's polynomials (uniform mod 2^32, no rejection);
/// the packing key's uniform halves use <see cref="SeededUniform"/> with domain (level · 16 + digit) · 2 + prime.
/// </summary>
internal static class YpirPublicRandom
{
    public const ulong MatrixDomain = 0x1_0000_0000;

    public static void FillUInt32(ReadOnlySpan<byte> seed, ulong domain, Span<uint> destination)
    {
        using var aes = Aes.Create();
        aes.Key = seed.ToArray();
        int blocks = (destination.Length + 3) / 4;
        var counters = new byte[blocks * 16];
        for (int b = 0; b < blocks; b++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(counters.AsSpan(b * 16), domain);
            BinaryPrimitives.WriteUInt64LittleEndian(counters.AsSpan((b * 16) + 8), (ulong)b);
        }

        var stream = aes.EncryptEcb(counters, PaddingMode.None);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] = BinaryPrimitives.ReadUInt32LittleEndian(stream.AsSpan(i * 4));
        }
    }

    /// <summary>The uniform half W_a of the packing key for automorphism level ℓ, digit k, both primes, in NTT form.</summary>
    public static void PackingKeyUniform(YpirRing ring, ReadOnlySpan<byte> seed, int level, int digit, Span<ulong> r0, Span<ulong> r1)
    {
        ulong domain = (((ulong)level * 16) + (ulong)digit) * 2;
        SeededUniform.Fill(seed, domain, r0, ring.P0);
        SeededUniform.Fill(seed, domain + 1, r1, ring.P1);
    }
}
