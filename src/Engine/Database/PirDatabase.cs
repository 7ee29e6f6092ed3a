using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;
using Privomega.Pir.Engine.Interop;

namespace Privomega.Pir.Engine;

/// <summary>
/// One immutable database snapshot: <see cref="RecordCount"/> records of <see cref="RecordBytes"/>
/// bytes each, held in owned, 64-byte aligned native memory that is zeroed and freed on
/// <see cref="Dispose"/>.
/// </summary>
/// <remarks>
/// Internally each record occupies <see cref="RecordStride"/> bytes: the record followed by zero
/// padding. The rows never change after construction, so any number of scans may run at once. The servers hold a
/// scan reference for the length of a scan: a <see cref="Dispose"/> that arrives meanwhile makes the database
/// unusable for new work at once but frees the rows only when the last scan ends, so swapping snapshots under
/// load cannot make a scan read freed memory. Records of up to 8 bytes are padded to the next power of two (1, 2, 4, 8) so a row
/// never straddles a word; longer records to a multiple of 8, so every kernel works in whole
/// 64-bit words with vector bodies and a word tail, and memory grows by less than 8 bytes per
/// record (R = 1 stays 1 byte per record). Padding is zero, so XORs of rows keep it zero and it is
/// never visible to callers.
/// </remarks>
public sealed unsafe class PirDatabase : IDisposable
{
    /// <summary>Largest record size: its padded row (a multiple of 8) and an answer's header must still fit an int.</summary>
    public const int MaxRecordBytes = int.MaxValue - 64;

    /// <summary>Alignment of the row storage, one cache line, so 64-byte strides load aligned.</summary>
    internal const int Alignment = 64;

    private readonly nuint _allocatedBytes;

    // Length of the huge-page mapping holding the rows, or 0 if they came from NativeMemory.
    private readonly nuint _mappedBytes;

    // The row storage; IntPtr so that freeing it is one atomic exchange (two racing Dispose calls free it once).
    private nint _rows;

    // Scans in flight (AddScanReference) and whether Dispose was called; the rows are freed when both say so.
    private int _scanReferences;
    private int _disposeRequested;

    private PirDatabase(long recordCount, int recordBytes, bool zero)
    {
        RecordCount = recordCount;
        RecordBytes = recordBytes;
        RecordStride = StrideFor(recordBytes);
        long bytes = checked(recordCount * RecordStride);
        // Round up to whole cache lines so the last row's line is owned memory too.
        _allocatedBytes = (nuint)((bytes + Alignment - 1) & ~(long)(Alignment - 1));
        // From 2 MiB up, rows come from an mmap advised for transparent huge pages (zeroed by the kernel); a scan then
        // walks one TLB entry per 2 MiB instead of per 4 KiB.
        byte* rows = _allocatedBytes >= LinuxMemory.HugePageBytes ? LinuxMemory.TryMapHuge(_allocatedBytes, out _mappedBytes) : null;
        if (rows != null)
        {
            _rows = (nint)rows;
            return;
        }

        rows = (byte*)NativeMemory.AlignedAlloc(_allocatedBytes, Alignment);
        _rows = (nint)rows;
        if (zero)
        {
            NativeMemory.Clear(rows, _allocatedBytes);
        }
        else
        {
            // Only the tail past the last row; callers write every row, padding included.
            NativeMemory.Clear(rows + bytes, _allocatedBytes - (nuint)bytes);
        }
    }

    /// <summary>Frees the rows if <see cref="Dispose"/> was never called.</summary>
    ~PirDatabase() => Free();

    /// <summary>Number of records.</summary>
    public long RecordCount { get; }

    /// <summary>Bytes per record as callers see them.</summary>
    public int RecordBytes { get; }

    /// <summary>Bytes per stored row (record plus zero padding); the length of every kernel accumulator.</summary>
    internal int RecordStride { get; }

    /// <summary>
    /// Bytes of the rows the kernel backs with 2 MiB pages right now (<c>AnonHugePages</c> of their mapping); 0 when the
    /// rows are not in a huge-page mapping (under 2 MiB, not Linux), -1 if it cannot be read.
    /// </summary>
    internal long HugePageBytes
    {
        get
        {
            nint rows = Volatile.Read(ref _rows);
            return _mappedBytes == 0 || rows == 0 ? 0 : LinuxMemory.HugePageBytesAt((byte*)rows);
        }
    }

    /// <summary>Total bytes of rows, <c>RecordCount * RecordStride</c>: what one full scan reads.</summary>
    internal long RowBytes => RecordCount * RecordStride;

    /// <summary>Database bytes as callers see them, <c>RecordCount * RecordBytes</c>.</summary>
    public long PayloadBytes => RecordCount * RecordBytes;

    /// <summary>The padded row size the database uses for <paramref name="recordBytes"/>-byte records.</summary>
    internal static int StrideFor(int recordBytes)
    {
        Debug.Assert(recordBytes >= 1);
        return recordBytes <= 8
            ? (int)BitOperations.RoundUpToPowerOf2((uint)recordBytes)
            : (recordBytes + 7) & ~7;
    }

    /// <summary>Builds a database from records that are each exactly <paramref name="recordBytes"/> long.</summary>
    public static PirDatabase FromRecords(IReadOnlyList<ReadOnlyMemory<byte>> records, int recordBytes)
    {
        ArgumentNullException.ThrowIfNull(records);
        ValidateShape(records.Count, recordBytes);
        for (int i = 0; i < records.Count; i++)
        {
            if (records[i].Length != recordBytes)
            {
                ThrowHelper.ArgumentLength($"{nameof(records)}[{i}]", records[i].Length, recordBytes);
            }
        }

        var db = new PirDatabase(records.Count, recordBytes, zero: true);
        for (int i = 0; i < records.Count; i++)
        {
            records[i].Span.CopyTo(new Span<byte>(db.GetRowPointer(i), recordBytes));
        }

        return db;
    }

    /// <summary>Builds a database from records that are each exactly <paramref name="recordBytes"/> long.</summary>
    public static PirDatabase FromRecords(IReadOnlyList<byte[]> records, int recordBytes)
    {
        ArgumentNullException.ThrowIfNull(records);
        var memories = new ReadOnlyMemory<byte>[records.Count];
        for (int i = 0; i < memories.Length; i++)
        {
            memories[i] = records[i] ?? throw new ArgumentNullException($"{nameof(records)}[{i}]");
        }

        return FromRecords(memories, recordBytes);
    }

    /// <summary>Builds a database from <paramref name="records"/> laid end to end, <paramref name="recordBytes"/> each.</summary>
    public static PirDatabase FromConcatenated(ReadOnlySpan<byte> records, int recordBytes)
    {
        ValidateRecordBytes(recordBytes);
        if (records.Length == 0 || records.Length % recordBytes != 0)
        {
            ThrowHelper.Argument(
                nameof(records),
                $"records has length {records.Length}; expected a positive multiple of recordBytes = {recordBytes}.");
        }

        long count = records.Length / recordBytes;
        var db = new PirDatabase(count, recordBytes, zero: true);
        if (db.RecordStride == recordBytes)
        {
            // No padding: the rows are the input laid end to end.
            records.CopyTo(new Span<byte>(db.GetRowPointer(0), records.Length));
            return db;
        }

        for (long i = 0; i < count; i++)
        {
            records.Slice((int)(i * recordBytes), recordBytes).CopyTo(new Span<byte>(db.GetRowPointer(i), recordBytes));
        }

        return db;
    }

    /// <summary>Loads a database from a file holding records end to end; its length must be a positive multiple of <paramref name="recordBytes"/>.</summary>
    public static PirDatabase FromFile(string path, int recordBytes)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ValidateRecordBytes(recordBytes);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        long length = stream.Length;
        if (length == 0 || length % recordBytes != 0)
        {
            ThrowHelper.Argument(
                nameof(path),
                $"file length is {length} bytes; expected a positive multiple of recordBytes = {recordBytes}.");
        }

        var db = new PirDatabase(length / recordBytes, recordBytes, zero: true);
        try
        {
            if (db.RecordStride == recordBytes)
            {
                // No padding: read the file straight into the rows in large chunks rather than one
                // stream call per record (a billion calls for a GiB of 1-byte records).
                byte* destination = db.GetRowPointer(0);
                for (long done = 0; done < length;)
                {
                    int chunk = (int)Math.Min(length - done, 1 << 24);
                    stream.ReadExactly(new Span<byte>(destination + done, chunk));
                    done += chunk;
                }
            }
            else
            {
                for (long i = 0; i < db.RecordCount; i++)
                {
                    stream.ReadExactly(new Span<byte>(db.GetRowPointer(i), recordBytes));
                }
            }
        }
        catch
        {
            db.Dispose();
            throw;
        }

        return db;
    }

    /// <summary>
    /// Loads records <c>[firstRecord, firstRecord + recordCount)</c> of a file holding records end to end (a shard's
    /// rows), reading only those bytes; the file's length must be a positive multiple of <paramref name="recordBytes"/>
    /// and hold the range.
    /// </summary>
    public static PirDatabase FromFile(string path, int recordBytes, long firstRecord, long recordCount)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ValidateShape(recordCount, recordBytes);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        long length = stream.Length;
        if (length == 0 || length % recordBytes != 0)
        {
            ThrowHelper.Argument(
                nameof(path),
                $"file length is {length} bytes; expected a positive multiple of recordBytes = {recordBytes}.");
        }

        long fileRecords = length / recordBytes;
        if (firstRecord < 0 || firstRecord > fileRecords - recordCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(firstRecord), firstRecord, $"0 <= firstRecord <= {fileRecords} - recordCount ({recordCount})");
        }

        stream.Seek(firstRecord * recordBytes, SeekOrigin.Begin);
        var db = new PirDatabase(recordCount, recordBytes, zero: true);
        try
        {
            for (long i = 0; i < recordCount; i++)
            {
                stream.ReadExactly(new Span<byte>(db.GetRowPointer(i), recordBytes));
            }
        }
        catch
        {
            db.Dispose();
            throw;
        }

        return db;
    }

    /// <summary>
    /// A database of <paramref name="recordCount"/> zero records for a builder in the engine to fill through
    /// <see cref="GetRowPointer"/> before it is shared (snapshots of the keyword layer).
    /// </summary>
    internal static PirDatabase CreateZeroed(long recordCount, int recordBytes)
    {
        ValidateShape(recordCount, recordBytes);
        return new PirDatabase(recordCount, recordBytes, zero: true);
    }

    /// <summary>A copy of <paramref name="source"/>'s rows, for a builder to change some of before it is shared.</summary>
    internal static PirDatabase CreateCopy(PirDatabase source)
    {
        var db = new PirDatabase(source.RecordCount, source.RecordBytes, zero: false);
        source.AddScanReference();
        try
        {
            Buffer.MemoryCopy(source.GetRowPointer(0), db.GetRowPointer(0), source.RowBytes, source.RowBytes);
        }
        finally
        {
            source.ReleaseScanReference();
        }

        return db;
    }

    /// <summary>A copy of records <c>[firstRecord, firstRecord + recordCount)</c> (a shard's rows) in its own memory.</summary>
    public PirDatabase Slice(long firstRecord, long recordCount)
    {
        ValidateShape(recordCount, RecordBytes);
        if (firstRecord < 0 || firstRecord > RecordCount - recordCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(firstRecord), firstRecord, $"0 <= firstRecord <= {RecordCount} - recordCount ({recordCount})");
        }

        var slice = new PirDatabase(recordCount, RecordBytes, zero: false);
        AddScanReference();
        try
        {
            for (long i = 0; i < recordCount; i++)
            {
                new ReadOnlySpan<byte>(GetRowPointer(firstRecord + i), RecordStride).CopyTo(new Span<byte>(slice.GetRowPointer(i), RecordStride));
            }
        }
        finally
        {
            ReleaseScanReference();
        }

        return slice;
    }

    /// <summary>
    /// Generates <paramref name="recordCount"/> pseudo-random records from <paramref name="seed"/>.
    /// Word <c>w</c> of the whole record stream is a SplitMix64 output of <c>seed</c> and <c>w</c>, so any
    /// range can be filled independently (in parallel) and the result depends only on the arguments.
    /// For benchmarks and tests; not a source of secrets.
    /// </summary>
    public static PirDatabase Generate(long recordCount, int recordBytes, ulong seed)
    {
        ValidateShape(recordCount, recordBytes);
        var db = new PirDatabase(recordCount, recordBytes, zero: false);
        const long RecordsPerChunk = 1 << 14;
        long chunks = (recordCount + RecordsPerChunk - 1) / RecordsPerChunk;
        Parallel.For(0L, chunks, chunk =>
        {
            long first = chunk * RecordsPerChunk;
            long end = Math.Min(recordCount, first + RecordsPerChunk);
            Span<byte> word = stackalloc byte[8];
            for (long i = first; i < end; i++)
            {
                byte* row = db.GetRowPointer(i);
                long wordIndex = i * ((recordBytes + 7) / 8);
                for (int offset = 0; offset < recordBytes; offset += 8, wordIndex++)
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(word, SplitMix64(seed, (ulong)wordIndex));
                    int take = Math.Min(8, recordBytes - offset);
                    word[..take].CopyTo(new Span<byte>(row + offset, take));
                }

                new Span<byte>(row + recordBytes, db.RecordStride - recordBytes).Clear();
            }
        });
        return db;
    }

    /// <summary>
    /// The record at <paramref name="index"/>, exactly <see cref="RecordBytes"/> bytes, read in place: valid until
    /// <see cref="Dispose"/>. Where another thread may dispose the database, use <see cref="CopyRecord(long)"/>.
    /// </summary>
    public ReadOnlySpan<byte> GetRecord(long index)
    {
        ValidateIndex(index);
        return new ReadOnlySpan<byte>(GetRowPointer(index), RecordBytes);
    }

    /// <summary>Copies the record at <paramref name="index"/> into the first <see cref="RecordBytes"/> bytes of <paramref name="destination"/>.</summary>
    public void CopyRecord(long index, Span<byte> destination)
    {
        ValidateIndex(index);
        if (destination.Length < RecordBytes)
        {
            ThrowHelper.ArgumentLengthAtLeast(nameof(destination), destination.Length, RecordBytes);
        }

        AddScanReference();
        try
        {
            new ReadOnlySpan<byte>(GetRowPointer(index), RecordBytes).CopyTo(destination);
        }
        finally
        {
            ReleaseScanReference();
        }
    }

    /// <summary>Allocating convenience overload of <see cref="CopyRecord(long, Span{byte})"/>.</summary>
    public byte[] CopyRecord(long index)
    {
        var record = new byte[RecordBytes];
        CopyRecord(index, record);
        return record;
    }

    /// <summary>Start of row <paramref name="index"/>: <see cref="RecordStride"/> bytes, record then zero padding. Callers check bounds.</summary>
    internal byte* GetRowPointer(long index)
    {
        Debug.Assert(index >= 0 && index <= RecordCount);
        nint rows = Volatile.Read(ref _rows);
        if (rows == 0)
        {
            ThrowHelper.ObjectDisposed(nameof(PirDatabase));
        }

        return (byte*)rows + (index * RecordStride);
    }

    /// <summary>
    /// Throws if the rows were freed; kernels call it once per scan, not per row. A scan holding a scan reference
    /// keeps the rows alive through a concurrent <see cref="Dispose"/>.
    /// </summary>
    internal void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _rows) == 0)
        {
            ThrowHelper.ObjectDisposed(nameof(PirDatabase));
        }
    }

    /// <summary>
    /// Pins the rows for one scan: until the matching <see cref="ReleaseScanReference"/>, <see cref="Dispose"/> defers
    /// freeing them. Throws <see cref="ObjectDisposedException"/> if Dispose was already called.
    /// </summary>
    internal void AddScanReference()
    {
        Interlocked.Increment(ref _scanReferences);
        if (Volatile.Read(ref _disposeRequested) != 0)
        {
            // Dispose may have seen our increment and left the freeing to us.
            ReleaseScanReference();
            ThrowHelper.ObjectDisposed(nameof(PirDatabase));
        }
    }

    /// <summary>Ends a scan started with <see cref="AddScanReference"/>; the last one after a Dispose frees the rows.</summary>
    internal void ReleaseScanReference()
    {
        int remaining = Interlocked.Decrement(ref _scanReferences);
        Debug.Assert(remaining >= 0);
        if (remaining == 0 && Volatile.Read(ref _disposeRequested) != 0)
        {
            Free();
        }
    }

    /// <summary>
    /// Zeroes and frees the rows: at once if no scan is running, else when the last running scan ends. New scans and
    /// record reads throw <see cref="ObjectDisposedException"/> from this call on.
    /// </summary>
    public void Dispose()
    {
        // Both sides use full fences (Interlocked) before reading the other's flag, so either the scan sees the
        // request and backs out, or Dispose sees the scan and leaves the freeing to it.
        if (Interlocked.Exchange(ref _disposeRequested, 1) == 0 && Volatile.Read(ref _scanReferences) == 0)
        {
            Free();
        }

        GC.SuppressFinalize(this);
    }

    private void Free()
    {
        byte* rows = (byte*)Interlocked.Exchange(ref _rows, 0);
        if (rows != null)
        {
            NativeMemory.Clear(rows, _allocatedBytes);
            if (_mappedBytes != 0)
            {
                LinuxMemory.Unmap(rows, _mappedBytes);
            }
            else
            {
                NativeMemory.AlignedFree(rows);
            }
        }
    }

    private void ThrowIfDisposeRequested()
    {
        if (Volatile.Read(ref _disposeRequested) != 0)
        {
            ThrowHelper.ObjectDisposed(nameof(PirDatabase));
        }
    }

    private void ValidateIndex(long index)
    {
        ThrowIfDisposeRequested();
        if ((ulong)index >= (ulong)RecordCount)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(index), index, $"0 <= index < {RecordCount}");
        }
    }

    private static void ValidateShape(long recordCount, int recordBytes)
    {
        if (recordCount < 1)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordCount), recordCount, "at least 1");
        }

        ValidateRecordBytes(recordBytes);
    }

    private static void ValidateRecordBytes(int recordBytes)
    {
        // Above the maximum, the stride (rounded up to 8) would overflow to a negative int.
        if (recordBytes < 1 || recordBytes > MaxRecordBytes)
        {
            ThrowHelper.ArgumentOutOfRange(nameof(recordBytes), recordBytes, $"1 <= recordBytes <= {MaxRecordBytes}");
        }
    }

    private static ulong SplitMix64(ulong seed, ulong index)
    {
        unchecked
        {
            ulong z = seed + ((index + 1) * 0x9E3779B97F4A7C15UL);
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
