namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// Bytes ↔ plaintext coefficients: the byte string is read as a little-endian bit stream and cut
/// into logt-bit coefficients (t = 2^logt), so a plaintext carries ⌊N·logt / 8⌋ bytes.
/// </summary>
internal static class LatticePlaintextCodec
{
    public static void Encode(ReadOnlySpan<byte> bytes, Span<ulong> coefficients, int logt)
    {
        coefficients.Clear();
        ulong buffer = 0;
        int bufferBits = 0;
        int c = 0;
        ulong mask = (1UL << logt) - 1;
        foreach (byte b in bytes)
        {
            buffer |= (ulong)b << bufferBits;
            bufferBits += 8;
            while (bufferBits >= logt)
            {
                coefficients[c++] = buffer & mask;
                buffer >>= logt;
                bufferBits -= logt;
            }
        }

        if (bufferBits > 0)
        {
            coefficients[c] = buffer & mask;
        }
    }

    public static void Decode(ReadOnlySpan<ulong> coefficients, Span<byte> bytes, int logt)
    {
        ulong buffer = 0;
        int bufferBits = 0;
        int c = 0;
        for (int i = 0; i < bytes.Length; i++)
        {
            while (bufferBits < 8)
            {
                buffer |= coefficients[c++] << bufferBits;
                bufferBits += logt;
            }

            bytes[i] = (byte)buffer;
            buffer >>= 8;
            bufferBits -= 8;
        }
    }
}
