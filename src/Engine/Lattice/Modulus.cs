using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// An odd prime modulus p with 17 ≤ bits(p) ≤ 30 and the constants its reductions need. Thirty bits
/// is the ceiling because the lazy NTT keeps values in [0, 4p), which must fit in 32 bits so every
/// product is a 32×32→64-bit multiply (vpmuludq); seventeen bits is the floor of the two-fold wide
/// reduction below.
/// </summary>
internal sealed class Modulus
{
    /// <summary>Smallest supported bit length.</summary>
    public const int MinBits = 17;

    /// <summary>Largest supported bit length.</summary>
    public const int MaxBits = 30;

    public Modulus(ulong value)
    {
        int bits = 64 - BitOperations.LeadingZeroCount(value);
        if (bits is < MinBits or > MaxBits || (value & 1) == 0)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(value), (long)value, $"an odd modulus of {MinBits}..{MaxBits} bits");
        }

        Value = value;
        Bits = bits;
        BarrettMu = (ulong)((UInt128.One << (2 * bits)) / value);
        Fold32 = (1UL << 32) % value;
    }

    /// <summary>The modulus p.</summary>
    public ulong Value { get; }

    /// <summary>Bit length b of p (2^(b-1) &lt; p &lt; 2^b).</summary>
    public int Bits { get; }

    /// <summary>Barrett constant floor(2^(2b) / p), below 2^(b+1) ≤ 2^31.</summary>
    public ulong BarrettMu { get; }

    /// <summary>2^32 mod p, used to fold a 64-bit accumulator.</summary>
    public ulong Fold32 { get; }

    /// <summary>
    /// Reduces x &lt; 2^(2b+1) modulo p. The Barrett quotient estimate is at most 3 short, so the
    /// remainder before the two conditional subtractions is below 4p &lt; 2^32.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Reduce(ulong x)
    {
        unchecked
        {
            ulong q = ((x >> (Bits - 1)) * BarrettMu) >> (Bits + 1);
            ulong r = x - (q * Value);
            r = Math.Min(r, r - (2 * Value));
            return Math.Min(r, r - Value);
        }
    }

    /// <summary>Reduces any 64-bit x modulo p: two folds by 2^32 ≡ <see cref="Fold32"/> bring it below 2^(2b+1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong ReduceWide(ulong x)
    {
        unchecked
        {
            x = ((x >> 32) * Fold32) + (x & 0xFFFF_FFFF);
            x = ((x >> 32) * Fold32) + (x & 0xFFFF_FFFF);
            return Reduce(x);
        }
    }

    /// <summary>One fold of a 64-bit accumulator: the result is ≡ x and below 2^62 + 2^32.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Fold(ulong x) => unchecked(((x >> 32) * Fold32) + (x & 0xFFFF_FFFF));

    /// <summary>(a·b) mod p for a, b &lt; p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Mul(ulong a, ulong b)
    {
        Debug.Assert(a < Value && b < Value);
        return Reduce(unchecked(a * b));
    }

    /// <summary>(a + b) mod p for a, b &lt; p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Add(ulong a, ulong b)
    {
        ulong s = a + b;
        return unchecked(Math.Min(s, s - Value));
    }

    /// <summary>(a − b) mod p for a, b &lt; p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Sub(ulong a, ulong b)
    {
        ulong d = unchecked(a - b + Value);
        return unchecked(Math.Min(d, d - Value));
    }

    /// <summary>(−a) mod p for a &lt; p.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Negate(ulong a) => a == 0 ? 0 : Value - a;

    /// <summary>Shoup's precomputed companion floor(w·2^32 / p) of a fixed multiplicand w &lt; p.</summary>
    public ulong ShoupOf(ulong w) => (w << 32) / Value;

    /// <summary>w·y mod p up to one p: returns a value in [0, 2p) for any y &lt; 2^32 (Shoup's multiplication).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong MulShoupLazy(ulong y, ulong w, ulong wShoup) =>
        unchecked((w * y) - (((wShoup * y) >> 32) * Value));

    /// <summary>a^e mod p.</summary>
    public ulong Pow(ulong a, ulong e)
    {
        ulong result = 1;
        a %= Value;
        while (e != 0)
        {
            if ((e & 1) != 0)
            {
                result = Mul(result, a);
            }

            a = Mul(a, a);
            e >>= 1;
        }

        return result;
    }

    /// <summary>a^-1 mod p (p prime, a ≢ 0).</summary>
    public ulong Inverse(ulong a)
    {
        a %= Value;
        if (a == 0)
        {
            ThrowHelper.Argument(nameof(a), "zero has no inverse");
        }

        return Pow(a, Value - 2);
    }

    /// <inheritdoc />
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Search for NTT-friendly primes: p ≡ 1 (mod 2N), so the negacyclic NTT of length N exists mod p.</summary>
internal static class NttPrimes
{
    /// <summary>Deterministic primality for values below 2^32 by trial division (√p &lt; 2^16).</summary>
    public static bool IsPrime(ulong p)
    {
        if (p < 2)
        {
            return false;
        }

        if (p % 2 == 0)
        {
            return p == 2;
        }

        for (ulong d = 3; d * d <= p; d += 2)
        {
            if (p % d == 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The <paramref name="count"/> largest primes of exactly <paramref name="bits"/> bits that are ≡ 1
    /// (mod 2N), skipping those in <paramref name="exclude"/>. Largest first, as SEAL's CoeffModulus does.
    /// </summary>
    public static ulong[] Find(int bits, int n, int count, IReadOnlyCollection<ulong>? exclude = null)
    {
        ulong step = 2UL * (ulong)n;
        ulong upper = 1UL << bits;
        ulong lower = 1UL << (bits - 1);
        ulong candidate = ((upper - 1) / step * step) + 1;
        if (candidate >= upper)
        {
            candidate -= step;
        }

        var found = new List<ulong>(count);
        while (found.Count < count && candidate > lower)
        {
            if (IsPrime(candidate) && (exclude is null || !exclude.Contains(candidate)))
            {
                found.Add(candidate);
            }

            candidate -= step;
        }

        if (found.Count < count)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(count), count, $"at most {found.Count} primes of {bits} bits ≡ 1 mod {step}");
        }

        return [.. found];
    }

    /// <summary>A generator-derived primitive 2N-th root of unity mod p (the smallest one, for reproducible tables).</summary>
    public static ulong MinimalPrimitiveRoot(Modulus p, int n)
    {
        ulong order = 2UL * (ulong)n;
        ulong cofactor = (p.Value - 1) / order;
        ulong best = 0;
        for (ulong g = 2; g < p.Value; g++)
        {
            ulong root = p.Pow(g, cofactor);
            if (p.Pow(root, order / 2) == p.Value - 1)
            {
                // root has order exactly 2N; the smallest power coprime to 2N is the canonical choice.
                ulong current = root;
                ulong square = p.Mul(root, root);
                best = root;
                for (ulong k = 1; k < order; k += 2)
                {
                    if (current < best)
                    {
                        best = current;
                    }

                    current = p.Mul(current, square);
                }

                return best;
            }
        }

        ThrowHelper.InvalidOperation("no primitive root found");
        return best;
    }
}
