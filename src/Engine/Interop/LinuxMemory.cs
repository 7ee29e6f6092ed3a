using System.Globalization;
using System.Runtime.InteropServices;

namespace Privomega.Pir.Engine.Interop;

/// <summary>
/// The engine's only native calls: anonymous memory from libc's <c>mmap</c>, 2 MiB aligned, with
/// <c>madvise(MADV_HUGEPAGE)</c> so the kernel may back it with transparent huge pages (fewer TLB misses on a scan of a
/// large database: one 2 MiB page covers 8192 rows of 256 bytes instead of 16). Linux only; elsewhere, or if a call fails,
/// callers fall back to <see cref="NativeMemory"/>.
/// </summary>
internal static unsafe partial class LinuxMemory
{
    /// <summary>Huge page size the mappings are aligned to.</summary>
    internal const nuint HugePageBytes = 2 << 20;

    private const int ProtRead = 0x1;
    private const int ProtWrite = 0x2;
    private const int MapPrivate = 0x02;
    private const int MapAnonymous = 0x20;
    private const int MadvHugepage = 14;

    private static readonly System.Buffers.SearchValues<char> LowerHex = System.Buffers.SearchValues.Create("0123456789abcdef");

    /// <summary>
    /// Maps <paramref name="bytes"/> rounded up to whole huge pages, zeroed, 2 MiB aligned, advised for huge pages;
    /// returns null (and maps nothing) where that is not possible. Free with <see cref="Unmap"/> and the same length.
    /// </summary>
    internal static byte* TryMapHuge(nuint bytes, out nuint mappedBytes)
    {
        mappedBytes = 0;
        if (!OperatingSystem.IsLinux() || bytes == 0)
        {
            return null;
        }

        nuint length = (bytes + HugePageBytes - 1) & ~(HugePageBytes - 1);
        nuint overLength = length + HugePageBytes;
        nint raw = mmap(0, overLength, ProtRead | ProtWrite, MapPrivate | MapAnonymous, -1, 0);
        if (raw == -1 || raw == 0)
        {
            return null;
        }

        // Trim to a 2 MiB aligned start: the kernel can only use a huge page for an aligned 2 MiB of the mapping.
        nuint start = ((nuint)raw + HugePageBytes - 1) & ~(HugePageBytes - 1);
        nuint head = start - (nuint)raw;
        nuint tail = overLength - head - length;
        if (head > 0)
        {
            _ = munmap(raw, head);
        }

        if (tail > 0)
        {
            _ = munmap((nint)(start + length), tail);
        }

        // Advice only: a kernel with THP off (or this call refused) still gives ordinary zeroed pages.
        _ = madvise((nint)start, length, MadvHugepage);
        mappedBytes = length;
        return (byte*)start;
    }

    /// <summary>Unmaps what <see cref="TryMapHuge"/> returned.</summary>
    internal static void Unmap(byte* start, nuint mappedBytes) => _ = munmap((nint)start, mappedBytes);

    /// <summary>
    /// Bytes of the mapping that starts at <paramref name="start"/> the kernel backs with huge pages now
    /// (<c>AnonHugePages</c> in <c>/proc/self/smaps</c>), or -1 if it cannot be read.
    /// </summary>
    internal static long HugePageBytesAt(byte* start)
    {
        try
        {
            string prefix = ((nuint)start).ToString("x", CultureInfo.InvariantCulture) + "-";
            bool inMapping = false;
            foreach (string line in File.ReadLines("/proc/self/smaps"))
            {
                if (IsMappingHeader(line))
                {
                    inMapping = line.StartsWith(prefix, StringComparison.Ordinal);
                    continue;
                }

                if (inMapping && line.StartsWith("AnonHugePages:", StringComparison.Ordinal))
                {
                    string kb = line["AnonHugePages:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return -1;
    }

    /// <summary>A mapping's first line in smaps: <c>start-end perms offset dev inode [path]</c>.</summary>
    private static bool IsMappingHeader(string line)
    {
        int dash = line.IndexOf('-', StringComparison.Ordinal);
        int space = line.IndexOf(' ', StringComparison.Ordinal);
        return dash > 0 && space > dash && line.AsSpan(0, dash).IndexOfAnyExcept(LowerHex) < 0;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint mmap(nint address, nuint length, int protection, int flags, int fd, nint offset);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int munmap(nint address, nuint length);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int madvise(nint address, nuint length, int advice);
}
