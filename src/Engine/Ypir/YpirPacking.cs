using System.Diagnostics;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Engine.Ypir;

/// <summary>
/// LWE-to-RLWE packing (Chen–Dai–Kim–Song 2021, "PackLWEs"), split the way YPIR splits it: the
/// uniform halves of the d LWE ciphertexts to pack are rows of the server's hint and the packing
/// key's uniform halves W_a come from the public seed, so every "a" polynomial of the packing tree —
/// and with it the gadget digits each key switch multiplies by the key — is fixed per snapshot and
/// precomputed. Per query only the "b" side runs: per tree node one monomial product, one slot
/// permutation and <c>digits</c> products with the client's W_b, all in the NTT domain.
///
/// Node (ℓ, r) packs the inputs i ≡ r (mod 2^(L−ℓ)): it combines (ℓ−1, r) and (ℓ−1, r + 2^(L−ℓ)) as
/// u + KeySwitch(τ_(2^ℓ+1)(v)) with u, v = even ± x^(d/2^ℓ)·odd, and encrypts
/// 2^ℓ·Σ_j m_(r+j·2^(L−ℓ))·x^(j·d/2^ℓ). Nodes are visited in post-order (children first), which is
/// also the order the precomputed digits are stored in, so the online pass streams them.
/// A ciphertext (a, b) has phase b − a·s.
/// </summary>
internal static class YpirPacking
{
    /// <summary>The packing key's uniform halves W_a[ℓ][k] (NTT form, both primes), from the public seed.</summary>
    public static ulong[][][][] UniformHalves(YpirRing ring, ReadOnlySpan<byte> seed)
    {
        int d = ring.D;
        int digits = ring.Preset.GadgetDigits;
        var w = new ulong[ring.LogD + 1][][][];
        for (int level = 1; level <= ring.LogD; level++)
        {
            w[level] = new ulong[digits][][];
            for (int k = 0; k < digits; k++)
            {
                var r0 = new ulong[d];
                var r1 = new ulong[d];
                YpirPublicRandom.PackingKeyUniform(ring, seed, level, k, r0, r1);
                w[level][k] = [r0, r1];
            }
        }

        return w;
    }

    /// <summary>Number of uint values of precomputed digits for one output ciphertext.</summary>
    public static long DigitValues(YpirRing ring) => (long)(ring.D - 1) * ring.Preset.GadgetDigits * 2 * ring.D;

    /// <summary>
    /// Precomputes one output ciphertext's packing: <paramref name="leafA"/> holds the d leaves' "a"
    /// polynomials (coefficient form, mod 2^32, row-major d × d). Writes every key switch's digits in NTT
    /// form into <paramref name="digits"/> and returns the packed ciphertext's "a" polynomial switched to
    /// 2^AnswerBits (it is the same for every query).
    /// </summary>
    public static ulong[] Precompute(YpirRing ring, ulong[][][][] uniform, ReadOnlySpan<uint> leafA, Span<uint> digits)
    {
        Debug.Assert(leafA.Length == ring.D * ring.D && digits.Length == DigitValues(ring));
        var state = new PrecomputeState(ring, uniform, leafA.ToArray());
        var root = state.Visit(ring.LogD, 0, digits);
        Debug.Assert(state.Node == ring.D - 1);
        ring.Inverse(root[0], root[1]);
        var a = new ulong[ring.D];
        for (int i = 0; i < ring.D; i++)
        {
            a[i] = ring.SwitchDown(ring.Crt(root[0][i], root[1][i]), ring.Preset.AnswerBits);
        }

        return a;
    }

    /// <summary>
    /// The online half: the packed ciphertext's "b" polynomial switched to 2^AnswerBits, from the d
    /// first-dimension values <paramref name="y"/> (mod 2^32), the precomputed <paramref name="digits"/>
    /// and the client's key halves <paramref name="keyB"/>[ℓ][k][prime] (NTT form).
    /// </summary>
    public static ulong[] PackOnline(YpirRing ring, ReadOnlySpan<uint> y, ReadOnlySpan<uint> digits, ulong[][][][] keyB, KernelPath path)
    {
        Debug.Assert(y.Length == ring.D && digits.Length == DigitValues(ring));
        var state = new OnlineState(ring, keyB, path);
        var root = state.Run(digits);
        ring.Inverse(root[0], root[1]);
        var b = new ulong[ring.D];
        ulong q = ring.Q;
        for (int i = 0; i < ring.D; i++)
        {
            ulong v = ring.Crt(root[0][i], root[1][i]) + ring.LiftFrom32(y[i]);
            b[i] = ring.SwitchDown(v >= q ? v - q : v, ring.Preset.AnswerBits);
        }

        return b;
    }

    private sealed class PrecomputeState(YpirRing ring, ulong[][][][] uniform, uint[] leafA)
    {
        public int Node { get; private set; }

        public ulong[][] Visit(int level, int r, Span<uint> digits)
        {
            int d = ring.D;
            if (level == 0)
            {
                return Leaf(r);
            }

            var even = Visit(level - 1, r, digits);
            var odd = Visit(level - 1, r + (1 << (ring.LogD - level)), digits);
            var perm = ring.Permutations[level];
            int t = ring.Preset.GadgetDigits;
            var rotated = new ulong[2][];
            for (int p = 0; p < 2; p++)
            {
                var m = ring.Moduli[p];
                var mono = ring.Monomials[level][p];
                var v = new ulong[d];
                for (int x = 0; x < d; x++)
                {
                    ulong shifted = m.Mul(mono[x], odd[p][x]);
                    v[x] = m.Sub(even[p][x], shifted);
                    even[p][x] = m.Add(even[p][x], shifted);
                }

                var w = new ulong[d];
                for (int x = 0; x < d; x++)
                {
                    w[x] = v[perm[x]];
                }

                rotated[p] = w;
            }

            ring.Inverse(rotated[0], rotated[1]);
            int bits = ring.Preset.GadgetBits;
            ulong mask = (1UL << bits) - 1;
            var digitPoly = new ulong[2][] { new ulong[d], new ulong[d] };
            var values = new ulong[d];
            for (int x = 0; x < d; x++)
            {
                values[x] = ring.Crt(rotated[0][x], rotated[1][x]);
            }

            long nodeOffset = (long)Node * t * 2 * d;
            for (int k = 0; k < t; k++)
            {
                for (int x = 0; x < d; x++)
                {
                    ulong digit = (values[x] >> (k * bits)) & mask;
                    digitPoly[0][x] = digit;
                    digitPoly[1][x] = digit;
                }

                ring.Forward(digitPoly[0], digitPoly[1]);
                for (int p = 0; p < 2; p++)
                {
                    var m = ring.Moduli[p];
                    var wa = uniform[level][k][p];
                    var target = digits.Slice((int)(nodeOffset + (((k * 2) + p) * d)), d);
                    for (int x = 0; x < d; x++)
                    {
                        target[x] = (uint)digitPoly[p][x];
                        even[p][x] = m.Add(even[p][x], m.Mul(digitPoly[p][x], wa[x]));
                    }
                }
            }

            Node++;
            return even;
        }

        // Leaf r: the RLWE form of LWE (H_r, y_r) is A(x) with phase b − A·s whose constant term is y − <H, s>;
        // leafA already holds A mod 2^32. Switched up to Q, scaled by d^(−1), NTT form.
        private ulong[][] Leaf(int r)
        {
            int d = ring.D;
            var r0 = new ulong[d];
            var r1 = new ulong[d];
            var row = leafA.AsSpan(r * d, d);
            for (int x = 0; x < d; x++)
            {
                ulong v = ring.LiftFrom32(row[x]);
                r0[x] = ring.P0.Mul(ring.P0.ReduceWide(v), ring.DInv[0]);
                r1[x] = ring.P1.Mul(ring.P1.ReduceWide(v), ring.DInv[1]);
            }

            ring.Forward(r0, r1);
            return [r0, r1];
        }
    }

    // The b side of the tree, post-order, with two buffers per level (the even and the odd child of the node
    // being built) so nothing is allocated per node; leaves' b sides are zero here (they are added at the root,
    // where the packing has turned d·Σ (y_i/d)·x^i into Σ y_i·x^i).
    private sealed unsafe class OnlineState
    {
        private readonly YpirRing _ring;
        private readonly ulong[][][][] _keyB;
        private readonly KernelPath _path;
        private readonly ulong[][][] _even;
        private readonly ulong[][][] _odd;
        private readonly ulong[] _v;
        private readonly ulong[] _rotated;
        private int _node;

        public OnlineState(YpirRing ring, ulong[][][][] keyB, KernelPath path)
        {
            _ring = ring;
            _keyB = keyB;
            _path = path;
            int d = ring.D;
            _even = new ulong[ring.LogD + 1][][];
            _odd = new ulong[ring.LogD + 1][][];
            for (int level = 0; level <= ring.LogD; level++)
            {
                _even[level] = [new ulong[d], new ulong[d]];
                _odd[level] = [new ulong[d], new ulong[d]];
            }

            _v = new ulong[d];
            _rotated = new ulong[d];
        }

        public ulong[][] Run(ReadOnlySpan<uint> digits)
        {
            fixed (uint* pd = digits)
            {
                Visit(_ring.LogD, 0, _even[_ring.LogD], pd);
            }

            return _even[_ring.LogD];
        }

        private void Visit(int level, int r, ulong[][] target, uint* digits)
        {
            bool leafChildren = level == 1;
            if (!leafChildren)
            {
                Visit(level - 1, r, _even[level - 1], digits);
                Visit(level - 1, r + (1 << (_ring.LogD - level)), _odd[level - 1], digits);
            }

            int d = _ring.D;
            int t = _ring.Preset.GadgetDigits;
            uint* nodeDigits = digits + ((long)_node * t * 2 * d);
            for (int p = 0; p < 2; p++)
            {
                YpirNodeKernel.Combine(
                    _ring.Moduli[p],
                    leafChildren ? null : _even[level - 1][p],
                    leafChildren ? null : _odd[level - 1][p],
                    _ring.Monomials[level][p],
                    _ring.MonomialShoup[level * 2 + p],
                    _ring.Permutations[level],
                    nodeDigits + (p * d),
                    2 * d,
                    _keyB[level],
                    p,
                    target[p],
                    _v,
                    _rotated,
                    _path);
            }

            _node++;
        }
    }
}
