using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Privomega.Pir.Engine;

/// <summary>
/// The DPF's length-doubling PRG and its leaf conversion, built from fixed-key AES-128 in the
/// Matyas–Meyer–Oseas shape <c>H_k(s) = AES_k(s) ⊕ s</c>:
/// <c>G(s) = H_left(s) ‖ H_right(s)</c> and <c>Convert(s) = H_value(s)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Nodes are 128-bit blocks that carry the BGI control bit in bit 0 (byte 0, least significant
/// bit). The PRG reads a node's seed with that bit cleared, so seeds have 127 bits; each output
/// half's own bit 0 becomes the child's control bit, as in Boyle–Gilboa–Ishai (CCS 2016, Fig. 1).
/// </para>
/// <para>
/// The three keys are public, fixed, and nothing-up-my-sleeve: the first 16 bytes of
/// SHA-256("Privomega DPF fixed AES-128 key: left" / "...: right" / "...: value") (ASCII). A test
/// recomputes them. Fixed-key AES in this shape is the PRG of deployed tree DPFs (e.g. Google's
/// distributed_point_functions); its security argument models AES under a public key as a random
/// permutation (Guo et al., IEEE S&amp;P 2020).
/// </para>
/// <para>
/// Paths: AES-NI on <see cref="Vector128{T}"/>, eight independent blocks in flight to cover the
/// AESENC latency (.NET 10 exposes no 256/512-bit VAES form), and <see cref="SoftwareAes128"/>
/// when the CPU or runtime lacks AES-NI. Both must agree bit for bit.
/// </para>
/// </remarks>
internal static class DpfPrg
{
    /// <summary>SHA-256("Privomega DPF fixed AES-128 key: left")[0..16].</summary>
    public static ReadOnlySpan<byte> LeftKey =>
        [0xBC, 0x71, 0x48, 0x6B, 0x29, 0x7D, 0x77, 0x61, 0x93, 0x09, 0x13, 0x20, 0xB0, 0x26, 0xD1, 0xA2];

    /// <summary>SHA-256("Privomega DPF fixed AES-128 key: right")[0..16].</summary>
    public static ReadOnlySpan<byte> RightKey =>
        [0xBC, 0xCE, 0x1B, 0x68, 0xD1, 0x52, 0xFD, 0x49, 0x11, 0x51, 0xA1, 0x7D, 0xDC, 0x3A, 0xFF, 0xEC];

    /// <summary>SHA-256("Privomega DPF fixed AES-128 key: value")[0..16].</summary>
    public static ReadOnlySpan<byte> ValueKey =>
        [0x8B, 0x1F, 0x28, 0x86, 0x8A, 0x30, 0x3A, 0xCE, 0x6F, 0x90, 0xC3, 0x1C, 0x4A, 0xD9, 0xDD, 0x98];

    private static readonly uint[] LeftSchedule = SoftwareAes128.ExpandKey(LeftKey);
    private static readonly uint[] RightSchedule = SoftwareAes128.ExpandKey(RightKey);
    private static readonly uint[] ValueSchedule = SoftwareAes128.ExpandKey(ValueKey);

    private static readonly Vector128<byte>[] LeftRoundKeys = ToRoundKeys(LeftSchedule);
    private static readonly Vector128<byte>[] RightRoundKeys = ToRoundKeys(RightSchedule);
    private static readonly Vector128<byte>[] ValueRoundKeys = ToRoundKeys(ValueSchedule);

    /// <summary>All ones except bit 0: clears a node's control bit to get its seed.</summary>
    public static Vector128<byte> SeedMask => Vector128.Create(~1UL, ~0UL).AsByte();

    /// <summary>True when the AES-NI path runs.</summary>
    public static bool IsAccelerated => X86Aes.IsSupported;

    /// <summary>
    /// Expands one tree level: parent <c>i</c> (seed <c>s</c>, control bit <c>t</c>) yields children
    /// <c>2i = H_left(s) ⊕ t·cwLeft</c> and <c>2i+1 = H_right(s) ⊕ t·cwRight</c>, where a correction
    /// word carries the seed correction in bits 1..127 and the child's control-bit correction in bit 0.
    /// </summary>
    public static void ExpandLevel(
        ReadOnlySpan<Vector128<byte>> parents, Span<Vector128<byte>> children, Vector128<byte> cwLeft, Vector128<byte> cwRight)
    {
        Debug.Assert(children.Length >= 2 * parents.Length);
        if (X86Aes.IsSupported)
        {
            ExpandLevelAesNi(parents, children, cwLeft, cwRight);
        }
        else
        {
            ExpandLevelSoftware(parents, children, cwLeft, cwRight);
        }
    }

    /// <summary>
    /// Turns leaf nodes into 128 output bits each: <c>output[i] = H_value(s) ⊕ t·finalCw</c>.
    /// </summary>
    public static void ConvertLeaves(ReadOnlySpan<Vector128<byte>> leaves, Span<Vector128<byte>> output, Vector128<byte> finalCw)
    {
        Debug.Assert(output.Length >= leaves.Length);
        if (X86Aes.IsSupported)
        {
            ConvertLeavesAesNi(leaves, output, finalCw);
        }
        else
        {
            ConvertLeavesSoftware(leaves, output, finalCw);
        }
    }

    /// <summary>The uncorrected PRG <c>G(s) = H_left(s) ‖ H_right(s)</c> of one node (key generation).</summary>
    public static (Vector128<byte> Left, Vector128<byte> Right) Expand(Vector128<byte> node)
    {
        Span<Vector128<byte>> children = stackalloc Vector128<byte>[2];
        ExpandLevel([node], children, default, default);
        return (children[0], children[1]);
    }

    /// <summary>The uncorrected <c>Convert(s) = H_value(s)</c> of one node (key generation).</summary>
    public static Vector128<byte> Convert(Vector128<byte> node)
    {
        Span<Vector128<byte>> output = stackalloc Vector128<byte>[1];
        ConvertLeaves([node], output, default);
        return output[0];
    }

    /// <summary>All ones when the node's control bit is set, zero otherwise, without a branch.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<byte> ControlMask(Vector128<byte> node)
    {
        // Broadcast the low 32-bit lane, move bit 0 to the sign and smear it: no branch, no GPR trip.
        Vector128<int> low = Vector128.Shuffle(node.AsInt32(), Vector128<int>.Zero);
        return Vector128.ShiftRightArithmetic(Vector128.ShiftLeft(low, 31), 31).AsByte();
    }

    internal static void ExpandLevelSoftware(
        ReadOnlySpan<Vector128<byte>> parents, Span<Vector128<byte>> children, Vector128<byte> cwLeft, Vector128<byte> cwRight)
    {
        Vector128<byte> seedMask = SeedMask;
        for (int i = 0; i < parents.Length; i++)
        {
            Vector128<byte> node = parents[i];
            Vector128<byte> seed = node & seedMask;
            Vector128<byte> control = ControlMask(node);
            children[2 * i] = SoftwareAes128.EncryptBlock(LeftSchedule, seed) ^ seed ^ (control & cwLeft);
            children[(2 * i) + 1] = SoftwareAes128.EncryptBlock(RightSchedule, seed) ^ seed ^ (control & cwRight);
        }
    }

    internal static void ConvertLeavesSoftware(ReadOnlySpan<Vector128<byte>> leaves, Span<Vector128<byte>> output, Vector128<byte> finalCw)
    {
        Vector128<byte> seedMask = SeedMask;
        for (int i = 0; i < leaves.Length; i++)
        {
            Vector128<byte> node = leaves[i];
            Vector128<byte> seed = node & seedMask;
            output[i] = SoftwareAes128.EncryptBlock(ValueSchedule, seed) ^ seed ^ (ControlMask(node) & finalCw);
        }
    }

    internal static void ExpandLevelAesNi(
        ReadOnlySpan<Vector128<byte>> parents, Span<Vector128<byte>> children, Vector128<byte> cwLeft, Vector128<byte> cwRight)
    {
        if (!X86Aes.IsSupported)
        {
            throw new PlatformNotSupportedException();
        }

        ref Vector128<byte> kl = ref MemoryMarshal.GetArrayDataReference(LeftRoundKeys);
        ref Vector128<byte> kr = ref MemoryMarshal.GetArrayDataReference(RightRoundKeys);
        ref readonly Vector128<byte> input = ref MemoryMarshal.GetReference(parents);
        ref Vector128<byte> output = ref MemoryMarshal.GetReference(children);
        Vector128<byte> seedMask = SeedMask;
        int n = parents.Length;
        int i = 0;

        // Four parents = eight AES blocks per iteration: enough independent AESENCs to fill the pipeline.
        for (; i + 4 <= n; i += 4)
        {
            Vector128<byte> p0 = Unsafe.Add(ref Unsafe.AsRef(in input), i);
            Vector128<byte> p1 = Unsafe.Add(ref Unsafe.AsRef(in input), i + 1);
            Vector128<byte> p2 = Unsafe.Add(ref Unsafe.AsRef(in input), i + 2);
            Vector128<byte> p3 = Unsafe.Add(ref Unsafe.AsRef(in input), i + 3);
            Vector128<byte> s0 = p0 & seedMask, s1 = p1 & seedMask, s2 = p2 & seedMask, s3 = p3 & seedMask;

            Vector128<byte> rk = kl;
            Vector128<byte> l0 = s0 ^ rk, l1 = s1 ^ rk, l2 = s2 ^ rk, l3 = s3 ^ rk;
            rk = kr;
            Vector128<byte> r0 = s0 ^ rk, r1 = s1 ^ rk, r2 = s2 ^ rk, r3 = s3 ^ rk;
            for (int round = 1; round < 10; round++)
            {
                rk = Unsafe.Add(ref kl, round);
                l0 = X86Aes.Encrypt(l0, rk);
                l1 = X86Aes.Encrypt(l1, rk);
                l2 = X86Aes.Encrypt(l2, rk);
                l3 = X86Aes.Encrypt(l3, rk);
                rk = Unsafe.Add(ref kr, round);
                r0 = X86Aes.Encrypt(r0, rk);
                r1 = X86Aes.Encrypt(r1, rk);
                r2 = X86Aes.Encrypt(r2, rk);
                r3 = X86Aes.Encrypt(r3, rk);
            }

            rk = Unsafe.Add(ref kl, 10);
            l0 = X86Aes.EncryptLast(l0, rk);
            l1 = X86Aes.EncryptLast(l1, rk);
            l2 = X86Aes.EncryptLast(l2, rk);
            l3 = X86Aes.EncryptLast(l3, rk);
            rk = Unsafe.Add(ref kr, 10);
            r0 = X86Aes.EncryptLast(r0, rk);
            r1 = X86Aes.EncryptLast(r1, rk);
            r2 = X86Aes.EncryptLast(r2, rk);
            r3 = X86Aes.EncryptLast(r3, rk);

            Vector128<byte> c0 = ControlMask(p0), c1 = ControlMask(p1), c2 = ControlMask(p2), c3 = ControlMask(p3);
            ref Vector128<byte> o = ref Unsafe.Add(ref output, 2 * i);
            o = l0 ^ s0 ^ (c0 & cwLeft);
            Unsafe.Add(ref o, 1) = r0 ^ s0 ^ (c0 & cwRight);
            Unsafe.Add(ref o, 2) = l1 ^ s1 ^ (c1 & cwLeft);
            Unsafe.Add(ref o, 3) = r1 ^ s1 ^ (c1 & cwRight);
            Unsafe.Add(ref o, 4) = l2 ^ s2 ^ (c2 & cwLeft);
            Unsafe.Add(ref o, 5) = r2 ^ s2 ^ (c2 & cwRight);
            Unsafe.Add(ref o, 6) = l3 ^ s3 ^ (c3 & cwLeft);
            Unsafe.Add(ref o, 7) = r3 ^ s3 ^ (c3 & cwRight);
        }

        for (; i < n; i++)
        {
            Vector128<byte> p = Unsafe.Add(ref Unsafe.AsRef(in input), i);
            Vector128<byte> s = p & seedMask;
            Vector128<byte> l = s ^ kl;
            Vector128<byte> r = s ^ kr;
            for (int round = 1; round < 10; round++)
            {
                l = X86Aes.Encrypt(l, Unsafe.Add(ref kl, round));
                r = X86Aes.Encrypt(r, Unsafe.Add(ref kr, round));
            }

            l = X86Aes.EncryptLast(l, Unsafe.Add(ref kl, 10));
            r = X86Aes.EncryptLast(r, Unsafe.Add(ref kr, 10));
            Vector128<byte> c = ControlMask(p);
            Unsafe.Add(ref output, 2 * i) = l ^ s ^ (c & cwLeft);
            Unsafe.Add(ref output, (2 * i) + 1) = r ^ s ^ (c & cwRight);
        }
    }

    internal static void ConvertLeavesAesNi(ReadOnlySpan<Vector128<byte>> leaves, Span<Vector128<byte>> output, Vector128<byte> finalCw)
    {
        if (!X86Aes.IsSupported)
        {
            throw new PlatformNotSupportedException();
        }

        ref Vector128<byte> kv = ref MemoryMarshal.GetArrayDataReference(ValueRoundKeys);
        ref readonly Vector128<byte> input = ref MemoryMarshal.GetReference(leaves);
        ref Vector128<byte> dest = ref MemoryMarshal.GetReference(output);
        Vector128<byte> seedMask = SeedMask;
        int n = leaves.Length;
        int i = 0;

        for (; i + 8 <= n; i += 8)
        {
            ref Vector128<byte> p = ref Unsafe.Add(ref Unsafe.AsRef(in input), i);
            Vector128<byte> s0 = p & seedMask;
            Vector128<byte> s1 = Unsafe.Add(ref p, 1) & seedMask;
            Vector128<byte> s2 = Unsafe.Add(ref p, 2) & seedMask;
            Vector128<byte> s3 = Unsafe.Add(ref p, 3) & seedMask;
            Vector128<byte> s4 = Unsafe.Add(ref p, 4) & seedMask;
            Vector128<byte> s5 = Unsafe.Add(ref p, 5) & seedMask;
            Vector128<byte> s6 = Unsafe.Add(ref p, 6) & seedMask;
            Vector128<byte> s7 = Unsafe.Add(ref p, 7) & seedMask;

            Vector128<byte> rk = kv;
            Vector128<byte> x0 = s0 ^ rk, x1 = s1 ^ rk, x2 = s2 ^ rk, x3 = s3 ^ rk;
            Vector128<byte> x4 = s4 ^ rk, x5 = s5 ^ rk, x6 = s6 ^ rk, x7 = s7 ^ rk;
            for (int round = 1; round < 10; round++)
            {
                rk = Unsafe.Add(ref kv, round);
                x0 = X86Aes.Encrypt(x0, rk);
                x1 = X86Aes.Encrypt(x1, rk);
                x2 = X86Aes.Encrypt(x2, rk);
                x3 = X86Aes.Encrypt(x3, rk);
                x4 = X86Aes.Encrypt(x4, rk);
                x5 = X86Aes.Encrypt(x5, rk);
                x6 = X86Aes.Encrypt(x6, rk);
                x7 = X86Aes.Encrypt(x7, rk);
            }

            rk = Unsafe.Add(ref kv, 10);
            ref Vector128<byte> o = ref Unsafe.Add(ref dest, i);
            o = X86Aes.EncryptLast(x0, rk) ^ s0 ^ (ControlMask(p) & finalCw);
            Unsafe.Add(ref o, 1) = X86Aes.EncryptLast(x1, rk) ^ s1 ^ (ControlMask(Unsafe.Add(ref p, 1)) & finalCw);
            Unsafe.Add(ref o, 2) = X86Aes.EncryptLast(x2, rk) ^ s2 ^ (ControlMask(Unsafe.Add(ref p, 2)) & finalCw);
            Unsafe.Add(ref o, 3) = X86Aes.EncryptLast(x3, rk) ^ s3 ^ (ControlMask(Unsafe.Add(ref p, 3)) & finalCw);
            Unsafe.Add(ref o, 4) = X86Aes.EncryptLast(x4, rk) ^ s4 ^ (ControlMask(Unsafe.Add(ref p, 4)) & finalCw);
            Unsafe.Add(ref o, 5) = X86Aes.EncryptLast(x5, rk) ^ s5 ^ (ControlMask(Unsafe.Add(ref p, 5)) & finalCw);
            Unsafe.Add(ref o, 6) = X86Aes.EncryptLast(x6, rk) ^ s6 ^ (ControlMask(Unsafe.Add(ref p, 6)) & finalCw);
            Unsafe.Add(ref o, 7) = X86Aes.EncryptLast(x7, rk) ^ s7 ^ (ControlMask(Unsafe.Add(ref p, 7)) & finalCw);
        }

        for (; i < n; i++)
        {
            Vector128<byte> p = Unsafe.Add(ref Unsafe.AsRef(in input), i);
            Vector128<byte> s = p & seedMask;
            Vector128<byte> x = s ^ kv;
            for (int round = 1; round < 10; round++)
            {
                x = X86Aes.Encrypt(x, Unsafe.Add(ref kv, round));
            }

            Unsafe.Add(ref dest, i) = X86Aes.EncryptLast(x, Unsafe.Add(ref kv, 10)) ^ s ^ (ControlMask(p) & finalCw);
        }
    }

    private static Vector128<byte>[] ToRoundKeys(uint[] schedule)
    {
        var keys = new Vector128<byte>[11];
        for (int round = 0; round < keys.Length; round++)
        {
            keys[round] = SoftwareAes128.RoundKey(schedule, round);
        }

        return keys;
    }
}
