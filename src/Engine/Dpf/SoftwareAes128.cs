using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Privomega.Pir.Engine;

/// <summary>
/// AES-128 encryption (FIPS-197) in software with the classic four 32-bit T-tables. It is the
/// portable fallback of <see cref="DpfPrg"/> on machines without AES-NI and the reference the
/// AES-NI path is tested against.
/// </summary>
/// <remarks>
/// Table look-ups are indexed by state bytes, so this path is not constant-time on a machine
/// with a shared cache. The DPF uses it only with fixed public keys; the state it indexes with is
/// a DPF seed, which is why the AES-NI path is preferred whenever the CPU has it.
/// </remarks>
internal static class SoftwareAes128
{
    /// <summary>Number of 32-bit words in an expanded AES-128 key (11 round keys).</summary>
    public const int ExpandedKeyWords = 44;

    private static readonly byte[] SBox = BuildSBox();

    // Te0[x] = (2·S[x], S[x], S[x], 3·S[x]) as a big-endian word; Te1..Te3 are its byte rotations.
    private static readonly uint[] Te0 = BuildTable(0);
    private static readonly uint[] Te1 = BuildTable(8);
    private static readonly uint[] Te2 = BuildTable(16);
    private static readonly uint[] Te3 = BuildTable(24);

    /// <summary>The AES S-box entry for <paramref name="x"/> (exposed for the known-answer tests).</summary>
    public static byte SubByte(byte x) => SBox[x];

    /// <summary>Expands a 16-byte key into 44 big-endian round-key words (FIPS-197 §5.2).</summary>
    public static uint[] ExpandKey(ReadOnlySpan<byte> key)
    {
        Debug.Assert(key.Length == 16);
        var w = new uint[ExpandedKeyWords];
        for (int i = 0; i < 4; i++)
        {
            w[i] = BinaryPrimitives.ReadUInt32BigEndian(key[(4 * i)..]);
        }

        uint rcon = 0x01;
        for (int i = 4; i < ExpandedKeyWords; i++)
        {
            uint temp = w[i - 1];
            if (i % 4 == 0)
            {
                temp = SubWord(BitOperations.RotateLeft(temp, 8)) ^ (rcon << 24);
                rcon = Xtime(rcon);
            }

            w[i] = w[i - 4] ^ temp;
        }

        return w;
    }

    /// <summary>Writes round key <paramref name="round"/> (0..10) as the 16 bytes AES-NI expects.</summary>
    public static Vector128<byte> RoundKey(uint[] expanded, int round)
    {
        Span<byte> bytes = stackalloc byte[16];
        for (int j = 0; j < 4; j++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes[(4 * j)..], expanded[(4 * round) + j]);
        }

        return Vector128.Create((ReadOnlySpan<byte>)bytes);
    }

    /// <summary>Encrypts one 16-byte block (state bytes in memory order, as FIPS-197 numbers them).</summary>
    public static void EncryptBlock(uint[] rk, ReadOnlySpan<byte> input, Span<byte> output)
    {
        Debug.Assert(rk.Length == ExpandedKeyWords && input.Length >= 16 && output.Length >= 16);
        uint s0 = BinaryPrimitives.ReadUInt32BigEndian(input) ^ rk[0];
        uint s1 = BinaryPrimitives.ReadUInt32BigEndian(input[4..]) ^ rk[1];
        uint s2 = BinaryPrimitives.ReadUInt32BigEndian(input[8..]) ^ rk[2];
        uint s3 = BinaryPrimitives.ReadUInt32BigEndian(input[12..]) ^ rk[3];

        for (int round = 1; round < 10; round++)
        {
            int k = 4 * round;
            uint t0 = Te0[s0 >> 24] ^ Te1[(s1 >> 16) & 0xFF] ^ Te2[(s2 >> 8) & 0xFF] ^ Te3[s3 & 0xFF] ^ rk[k];
            uint t1 = Te0[s1 >> 24] ^ Te1[(s2 >> 16) & 0xFF] ^ Te2[(s3 >> 8) & 0xFF] ^ Te3[s0 & 0xFF] ^ rk[k + 1];
            uint t2 = Te0[s2 >> 24] ^ Te1[(s3 >> 16) & 0xFF] ^ Te2[(s0 >> 8) & 0xFF] ^ Te3[s1 & 0xFF] ^ rk[k + 2];
            uint t3 = Te0[s3 >> 24] ^ Te1[(s0 >> 16) & 0xFF] ^ Te2[(s1 >> 8) & 0xFF] ^ Te3[s2 & 0xFF] ^ rk[k + 3];
            s0 = t0;
            s1 = t1;
            s2 = t2;
            s3 = t3;
        }

        BinaryPrimitives.WriteUInt32BigEndian(output, LastRoundWord(s0, s1, s2, s3) ^ rk[40]);
        BinaryPrimitives.WriteUInt32BigEndian(output[4..], LastRoundWord(s1, s2, s3, s0) ^ rk[41]);
        BinaryPrimitives.WriteUInt32BigEndian(output[8..], LastRoundWord(s2, s3, s0, s1) ^ rk[42]);
        BinaryPrimitives.WriteUInt32BigEndian(output[12..], LastRoundWord(s3, s0, s1, s2) ^ rk[43]);
    }

    /// <summary>Encrypts one block held in a vector register image.</summary>
    public static Vector128<byte> EncryptBlock(uint[] rk, Vector128<byte> input)
    {
        Vector128<byte> output = default;
        EncryptBlock(
            rk,
            MemoryMarshal.AsBytes(new ReadOnlySpan<Vector128<byte>>(in input)),
            MemoryMarshal.AsBytes(new Span<Vector128<byte>>(ref output)));
        return output;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint LastRoundWord(uint a, uint b, uint c, uint d) =>
        ((uint)SBox[a >> 24] << 24) | ((uint)SBox[(b >> 16) & 0xFF] << 16) | ((uint)SBox[(c >> 8) & 0xFF] << 8) | SBox[d & 0xFF];

    private static uint SubWord(uint w) =>
        ((uint)SBox[w >> 24] << 24) | ((uint)SBox[(w >> 16) & 0xFF] << 16) | ((uint)SBox[(w >> 8) & 0xFF] << 8) | SBox[w & 0xFF];

    // Multiplication by x in GF(2^8) modulo x^8 + x^4 + x^3 + x + 1.
    private static uint Xtime(uint b) => ((b << 1) ^ ((b >> 7) * 0x1B)) & 0xFF;

    private static byte GfMultiply(byte a, byte b)
    {
        uint product = 0;
        uint x = a;
        for (int i = 0; i < 8; i++)
        {
            if (((b >> i) & 1) != 0)
            {
                product ^= x;
            }

            x = Xtime(x);
        }

        return (byte)product;
    }

    // The S-box is derived rather than typed in: multiplicative inverse in GF(2^8) (x^254), then the
    // FIPS-197 §5.1.1 affine map. The known-answer tests pin the result.
    private static byte[] BuildSBox()
    {
        var box = new byte[256];
        for (int x = 0; x < 256; x++)
        {
            byte inverse = 1;
            byte power = (byte)x;
            for (int e = 254; e != 0; e >>= 1)
            {
                if ((e & 1) != 0)
                {
                    inverse = GfMultiply(inverse, power);
                }

                power = GfMultiply(power, power);
            }

            if (x == 0)
            {
                inverse = 0;
            }

            uint b = inverse;
            uint affine = b ^ Rotl8(b, 1) ^ Rotl8(b, 2) ^ Rotl8(b, 3) ^ Rotl8(b, 4) ^ 0x63;
            box[x] = (byte)affine;
        }

        return box;
    }

    private static uint Rotl8(uint b, int n) => ((b << n) | (b >> (8 - n))) & 0xFF;

    private static uint[] BuildTable(int rotateRight)
    {
        var sbox = SBox;
        var table = new uint[256];
        for (int x = 0; x < 256; x++)
        {
            uint s = sbox[x];
            uint word = (Xtime(s) << 24) | (s << 16) | (s << 8) | (Xtime(s) ^ s);
            table[x] = BitOperations.RotateRight(word, rotateRight);
        }

        return table;
    }
}
