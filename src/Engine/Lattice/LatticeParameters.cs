using System.Globalization;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Validated, immutable BFV encryption parameters in SEAL's conventions: ring Z_q[x]/(x^N + 1) with N
/// a power of two, ciphertext modulus q = q_0·…·q_(k-1) of NTT-friendly primes (q_i ≡ 1 mod 2N, at
/// most 30 bits so every product is a 32×32→64-bit multiply), one special prime P for key switching
/// (the last prime in SEAL's coefficient-modulus list), plaintext modulus t = 2^logt, ternary secrets
/// and centered-binomial errors (η = 21, σ ≈ 3.24, like SEAL's σ = 3.2).
/// Security follows the Homomorphic Encryption Standard's 128-bit classical table for ternary
/// secrets, which bounds log2(q·P): N = 4096 → 109, 8192 → 218, 16384 → 438, 32768 → 881.
/// Anything else is insecure and needs <c>allowInsecure</c>, which only tests should pass.
/// Modulus switching drops primes from the end, so q_0 is the modulus replies are sent under.
/// </summary>
public sealed class LatticeParameters : IEquatable<LatticeParameters>
{
    private static readonly Dictionary<int, int> HeStandardMaxLogQ = new()
    {
        [1024] = 27,
        [2048] = 54,
        [4096] = 109,
        [8192] = 218,
        [16384] = 438,
        [32768] = 881,
    };

    private LatticeParameters(string name, int n, ulong[] ciphertextModuli, ulong specialModulus, int plainBits, bool isSecure)
    {
        Name = name;
        N = n;
        _ciphertextModuli = ciphertextModuli;
        SpecialModulus = specialModulus;
        PlainModulusBits = plainBits;
        IsSecure = isSecure;
        TotalModulusBits = ciphertextModuli.Sum(BitLength) + BitLength(specialModulus);
    }

    private readonly ulong[] _ciphertextModuli;

    /// <summary>The preset name, carrying its numbers (e.g. <c>N4096_Logq108_Logt20</c>).</summary>
    public string Name { get; }

    /// <summary>Ring dimension N (a power of two).</summary>
    public int N { get; }

    /// <summary>Ciphertext primes q_0 … q_(k-1); q_0 is kept last by modulus switching.</summary>
    public IReadOnlyList<ulong> CiphertextModuli => _ciphertextModuli;

    /// <summary>The special prime P used only inside key switching.</summary>
    public ulong SpecialModulus { get; }

    /// <summary>log2 t of the plaintext modulus t = 2^logt.</summary>
    public int PlainModulusBits { get; }

    /// <summary>Sum of the bit lengths of all primes including P (what the HE Standard bounds).</summary>
    public int TotalModulusBits { get; }

    /// <summary>Whether the parameters meet the HE Standard's 128-bit classical security.</summary>
    public bool IsSecure { get; }

    /// <summary>N = 4096, q = 30 + 24 + 24 bits, P = 30 bits (108 ≤ 109), t = 2^20: 128-bit secure.</summary>
    public static LatticeParameters N4096_Logq108_Logt20 { get; } = Create(4096, [30, 24, 24], 30, 20);

    /// <summary>N = 8192, q = 6 × 30 bits, P = 30 bits (210 ≤ 218), t = 2^20: 128-bit secure.</summary>
    public static LatticeParameters N8192_Logq210_Logt20 { get; } = Create(8192, [30, 30, 30, 30, 30, 30], 30, 20);

    /// <summary>An insecure N = 1024 set with the 4096 preset's moduli sizes, for tests only (internal: tests see it).</summary>
    internal static LatticeParameters N1024_Logq108_Logt20_Insecure { get; } = Create(1024, [30, 24, 24], 30, 20, allowInsecure: true);

    /// <summary>An insecure N = 256 set with the 4096 preset's moduli sizes, for fast tests only (internal: tests see it).</summary>
    internal static LatticeParameters N256_Logq108_Logt20_Insecure { get; } = Create(256, [30, 24, 24], 30, 20, allowInsecure: true);

    /// <summary>
    /// Builds parameters from prime sizes: the largest NTT-friendly primes of each size, distinct.
    /// Throws when the result is below 128-bit security unless <paramref name="allowInsecure"/>.
    /// </summary>
    public static LatticeParameters Create(int n, ReadOnlySpan<int> ciphertextPrimeBits, int specialPrimeBits, int plainBits, bool allowInsecure = false)
    {
        if (n is < 16 or > 32768 || (n & (n - 1)) != 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(n), n, "a power of two in 16..32768");
        }

        if (ciphertextPrimeBits.Length is < 1 or > 15)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(ciphertextPrimeBits), ciphertextPrimeBits.Length, "1..15 primes");
        }

        var used = new List<ulong>();
        var moduli = new ulong[ciphertextPrimeBits.Length];
        for (int i = 0; i < moduli.Length; i++)
        {
            CheckBits(ciphertextPrimeBits[i], nameof(ciphertextPrimeBits));
            moduli[i] = NttPrimes.Find(ciphertextPrimeBits[i], n, 1, used)[0];
            used.Add(moduli[i]);
        }

        CheckBits(specialPrimeBits, nameof(specialPrimeBits));
        ulong special = NttPrimes.Find(specialPrimeBits, n, 1, used)[0];
        return Create(n, moduli, special, plainBits, allowInsecure);
    }

    /// <summary>Builds parameters from explicit primes (each must be ≡ 1 mod 2N, 17..30 bits, distinct).</summary>
    public static LatticeParameters Create(int n, ReadOnlySpan<ulong> ciphertextModuli, ulong specialModulus, int plainBits, bool allowInsecure = false)
    {
        if (n is < 16 or > 32768 || (n & (n - 1)) != 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(n), n, "a power of two in 16..32768");
        }

        var all = ciphertextModuli.ToArray().Append(specialModulus).ToArray();
        foreach (ulong q in all)
        {
            // Size first: trial division of a 64-bit value would run for minutes.
            if (BitLength(q) is < Modulus.MinBits or > Modulus.MaxBits || (q - 1) % (2UL * (ulong)n) != 0 || !NttPrimes.IsPrime(q))
            {
                ThrowHelper.ArgumentOutOfRange(nameof(ciphertextModuli), (long)q, $"a prime of {Modulus.MinBits}..{Modulus.MaxBits} bits ≡ 1 mod {2 * n}");
            }
        }

        if (all.Distinct().Count() != all.Length)
        {
            ThrowHelper.Argument(nameof(ciphertextModuli), "the primes must be distinct");
        }

        // Noise after one plaintext product needs room above t; replies are sent mod q_0, which
        // must hold t times the rounding noise of modulus switching (about 2^7).
        if (plainBits < 2 || plainBits > BitLength(ciphertextModuli[0]) - 8)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(plainBits), plainBits, $"2..{BitLength(ciphertextModuli[0]) - 8} (q_0 minus 8 bits)");
        }

        int total = all.Sum(BitLength);
        bool secure = HeStandardMaxLogQ.TryGetValue(n, out int max) && n >= 4096 && total <= max;
        if (!secure && !allowInsecure)
        {
            ThrowHelper.Argument(
                nameof(allowInsecure),
                $"N = {n} with log2(qP) = {total} is below 128-bit security (HE Standard: N = 4096 allows 109, 8192 allows 218); pass allowInsecure only in tests.");
        }

        string name = string.Create(
            CultureInfo.InvariantCulture,
            $"N{n}_Logq{total}_Logt{plainBits}{(secure ? string.Empty : "_Insecure")}");
        return new LatticeParameters(name, n, ciphertextModuli.ToArray(), specialModulus, plainBits, secure);
    }

    /// <summary>Equal when N, every prime (in order), the special prime and t are; the name and security follow from them.</summary>
    public bool Equals(LatticeParameters? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (N == other.N && SpecialModulus == other.SpecialModulus && PlainModulusBits == other.PlainModulusBits
                && _ciphertextModuli.AsSpan().SequenceEqual(other._ciphertextModuli)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LatticeParameters);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(N);
        hash.Add(SpecialModulus);
        hash.Add(PlainModulusBits);
        foreach (ulong q in _ciphertextModuli)
        {
            hash.Add(q);
        }

        return hash.ToHashCode();
    }

    /// <summary>Value equality.</summary>
    public static bool operator ==(LatticeParameters? left, LatticeParameters? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Value inequality.</summary>
    public static bool operator !=(LatticeParameters? left, LatticeParameters? right) => !(left == right);

    /// <inheritdoc />
    public override string ToString() => Name;

    private static void CheckBits(int bits, string name)
    {
        if (bits is < Modulus.MinBits or > Modulus.MaxBits)
        {
            ThrowHelper.ArgumentOutOfRange(name, bits, $"{Modulus.MinBits}..{Modulus.MaxBits} bits");
        }
    }

    private static int BitLength(ulong v) => 64 - System.Numerics.BitOperations.LeadingZeroCount(v);
}
