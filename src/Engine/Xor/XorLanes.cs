using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Privomega.Pir.Engine;

/// <summary>
/// One lane of a row: the unit a kernel XORs at a time. The kernels are generic over the lane so
/// the JIT emits one specialised loop per width; <see cref="Lane64"/> and the narrower lanes are
/// the scalar path every vector lane must agree with bit for bit.
/// </summary>
internal unsafe interface IXorLane
{
    /// <summary>Bytes per lane.</summary>
    static abstract int Bytes { get; }

    /// <summary><c>acc ^= row &amp; mask</c>, where <paramref name="mask"/> is all ones or all zeros (branch-free selection).</summary>
    static abstract void AccumulateMasked(byte* acc, byte* row, ulong mask);

    /// <summary>For each of <paramref name="batch"/> accumulators <paramref name="accStride"/> bytes apart: <c>acc[q] ^= row &amp; masks[q]</c>; the row lane is loaded once.</summary>
    static abstract void AccumulateMaskedBatch(byte* acc, nint accStride, byte* row, ulong* masks, int batch);

    /// <summary><c>destination = a ^ b</c>.</summary>
    static abstract void Xor(byte* destination, byte* a, byte* b);

    /// <summary><c>acc ^= table[offsets[0]] ^ ... ^ table[offsets[count-1]]</c>, with the running sum in registers; <paramref name="count"/> is even.</summary>
    static abstract void XorGather(byte* acc, byte* table, nint* offsets, int count);
}

/// <summary>64-byte lane on <see cref="Vector512{T}"/>.</summary>
internal readonly unsafe struct Lane512 : IXorLane
{
    public static int Bytes => 64;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMasked(byte* acc, byte* row, ulong mask) =>
        Vector512.Store(Vector512.Load((ulong*)acc) ^ (Vector512.Load((ulong*)row) & Vector512.Create(mask)), (ulong*)acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMaskedBatch(byte* acc, nint accStride, byte* row, ulong* masks, int batch)
    {
        Vector512<ulong> r = Vector512.Load((ulong*)row);
        for (int q = 0; q < batch; q++, acc += accStride)
        {
            Vector512.Store(Vector512.Load((ulong*)acc) ^ (r & Vector512.Create(masks[q])), (ulong*)acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Xor(byte* destination, byte* a, byte* b) =>
        Vector512.Store(Vector512.Load((ulong*)a) ^ Vector512.Load((ulong*)b), (ulong*)destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorGather(byte* acc, byte* table, nint* offsets, int count)
    {
        // Two running sums halve the XOR dependency chain; loads are the bound.
        Vector512<ulong> even = Vector512.Load((ulong*)acc);
        Vector512<ulong> odd = Vector512<ulong>.Zero;
        for (int i = 0; i < count; i += 2)
        {
            even ^= Vector512.Load((ulong*)(table + offsets[i]));
            odd ^= Vector512.Load((ulong*)(table + offsets[i + 1]));
        }

        Vector512.Store(even ^ odd, (ulong*)acc);
    }
}

/// <summary>32-byte lane on <see cref="Vector256{T}"/>.</summary>
internal readonly unsafe struct Lane256 : IXorLane
{
    public static int Bytes => 32;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMasked(byte* acc, byte* row, ulong mask) =>
        Vector256.Store(Vector256.Load((ulong*)acc) ^ (Vector256.Load((ulong*)row) & Vector256.Create(mask)), (ulong*)acc);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMaskedBatch(byte* acc, nint accStride, byte* row, ulong* masks, int batch)
    {
        Vector256<ulong> r = Vector256.Load((ulong*)row);
        for (int q = 0; q < batch; q++, acc += accStride)
        {
            Vector256.Store(Vector256.Load((ulong*)acc) ^ (r & Vector256.Create(masks[q])), (ulong*)acc);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Xor(byte* destination, byte* a, byte* b) =>
        Vector256.Store(Vector256.Load((ulong*)a) ^ Vector256.Load((ulong*)b), (ulong*)destination);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorGather(byte* acc, byte* table, nint* offsets, int count)
    {
        Vector256<ulong> even = Vector256.Load((ulong*)acc);
        Vector256<ulong> odd = Vector256<ulong>.Zero;
        for (int i = 0; i < count; i += 2)
        {
            even ^= Vector256.Load((ulong*)(table + offsets[i]));
            odd ^= Vector256.Load((ulong*)(table + offsets[i + 1]));
        }

        Vector256.Store(even ^ odd, (ulong*)acc);
    }
}

/// <summary>8-byte scalar lane: the scalar path for rows of 8 bytes or more.</summary>
internal readonly unsafe struct Lane64 : IXorLane
{
    public static int Bytes => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMasked(byte* acc, byte* row, ulong mask) =>
        *(ulong*)acc ^= *(ulong*)row & mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMaskedBatch(byte* acc, nint accStride, byte* row, ulong* masks, int batch)
    {
        ulong r = *(ulong*)row;
        for (int q = 0; q < batch; q++, acc += accStride)
        {
            *(ulong*)acc ^= r & masks[q];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Xor(byte* destination, byte* a, byte* b) =>
        *(ulong*)destination = *(ulong*)a ^ *(ulong*)b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorGather(byte* acc, byte* table, nint* offsets, int count)
    {
        ulong sum = *(ulong*)acc;
        for (int i = 0; i < count; i++)
        {
            sum ^= *(ulong*)(table + offsets[i]);
        }

        *(ulong*)acc = sum;
    }
}

/// <summary>4-byte lane for 3- and 4-byte records (stride 4).</summary>
internal readonly unsafe struct Lane32 : IXorLane
{
    public static int Bytes => 4;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMasked(byte* acc, byte* row, ulong mask) =>
        *(uint*)acc ^= *(uint*)row & (uint)mask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMaskedBatch(byte* acc, nint accStride, byte* row, ulong* masks, int batch)
    {
        uint r = *(uint*)row;
        for (int q = 0; q < batch; q++, acc += accStride)
        {
            *(uint*)acc ^= r & (uint)masks[q];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Xor(byte* destination, byte* a, byte* b) =>
        *(uint*)destination = *(uint*)a ^ *(uint*)b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorGather(byte* acc, byte* table, nint* offsets, int count)
    {
        uint sum = *(uint*)acc;
        for (int i = 0; i < count; i++)
        {
            sum ^= *(uint*)(table + offsets[i]);
        }

        *(uint*)acc = sum;
    }
}

/// <summary>2-byte lane for 2-byte records.</summary>
internal readonly unsafe struct Lane16 : IXorLane
{
    public static int Bytes => 2;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMasked(byte* acc, byte* row, ulong mask) =>
        *(ushort*)acc ^= (ushort)(*(ushort*)row & (ushort)mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMaskedBatch(byte* acc, nint accStride, byte* row, ulong* masks, int batch)
    {
        ushort r = *(ushort*)row;
        for (int q = 0; q < batch; q++, acc += accStride)
        {
            *(ushort*)acc ^= (ushort)(r & (ushort)masks[q]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Xor(byte* destination, byte* a, byte* b) =>
        *(ushort*)destination = (ushort)(*(ushort*)a ^ *(ushort*)b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorGather(byte* acc, byte* table, nint* offsets, int count)
    {
        int sum = *(ushort*)acc;
        for (int i = 0; i < count; i++)
        {
            sum ^= *(ushort*)(table + offsets[i]);
        }

        *(ushort*)acc = (ushort)sum;
    }
}

/// <summary>1-byte lane for 1-byte records.</summary>
internal readonly unsafe struct Lane8 : IXorLane
{
    public static int Bytes => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMasked(byte* acc, byte* row, ulong mask) =>
        *acc ^= (byte)(*row & (byte)mask);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void AccumulateMaskedBatch(byte* acc, nint accStride, byte* row, ulong* masks, int batch)
    {
        byte r = *row;
        for (int q = 0; q < batch; q++, acc += accStride)
        {
            *acc ^= (byte)(r & (byte)masks[q]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Xor(byte* destination, byte* a, byte* b) =>
        *destination = (byte)(*a ^ *b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void XorGather(byte* acc, byte* table, nint* offsets, int count)
    {
        int sum = *acc;
        for (int i = 0; i < count; i++)
        {
            sum ^= table[offsets[i]];
        }

        *acc = (byte)sum;
    }
}
