using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Privomega.Protocol.Merkle;

/// <summary>
/// Stores every complete subtree hash of an RFC 9162 tree, level by level: level <c>k</c> holds
/// the roots of the aligned subtrees of <c>2^k</c> leaves, so level 0 is the leaf hashes and level
/// <c>k</c> has <c>size &gt;&gt; k</c> entries. Any subtree the RFC's recursion visits is then a
/// fold of at most <c>log2(size)</c> stored hashes, and roots, inclusion and consistency proofs
/// for every earlier size come from the same storage. Levels live in owned 64-byte-aligned native
/// memory, freed on dispose. Not thread-safe while appending.
/// </summary>
internal sealed unsafe class MerkleLevels : IDisposable
{
    private const int MaxLevels = 63;
    private const int Alignment = 64;
    private const int MinCapacity = 16;

    private readonly byte*[] _levels = new byte*[MaxLevels];
    private readonly long[] _capacity = new long[MaxLevels];
    private long _size;
    private bool _disposed;

    public MerkleLevels(long expectedLeaves)
    {
        Debug.Assert(expectedLeaves >= 0);
        for (var k = 0; k < MaxLevels && (expectedLeaves >> k) > 0; k++)
        {
            Grow(k, expectedLeaves >> k);
        }
    }

    ~MerkleLevels() => Free();

    public long Size => _size;

    public void AppendLeafHash(ReadOnlySpan<byte> leafHash)
    {
        Debug.Assert(leafHash.Length == MerkleHash.Size);
        ThrowIfDisposed();
        var index = _size;
        EnsureCapacity(0, index + 1);
        leafHash.CopyTo(Node(0, index));
        _size = index + 1;

        // Every time an index closes a pair, the parent of that pair becomes complete.
        for (var k = 0; (index & 1) == 1; k++)
        {
            var parent = index >> 1;
            EnsureCapacity(k + 1, parent + 1);
            MerkleHash.HashChildrenCore(Node(k, index - 1), Node(k, index), Node(k + 1, parent));
            index = parent;
        }
    }

    public ReadOnlySpan<byte> LeafHash(long index)
    {
        Debug.Assert(index >= 0 && index < _size);
        ThrowIfDisposed();
        return Node(0, index);
    }

    /// <summary>MTH(D[begin:end]) for a range the RFC recursion visits (begin aligned to the range's top power of two).</summary>
    public void SubtreeHash(long begin, long end, Span<byte> destination)
    {
        Debug.Assert(begin >= 0 && end <= _size && begin <= end);
        ThrowIfDisposed();
        if (begin == end)
        {
            MerkleHash.EmptyRoot.CopyTo(destination);
            return;
        }

        // The range splits into complete subtrees for the set bits of its length, largest first;
        // the RFC tree over the range is these peaks folded from the right.
        var remaining = (ulong)(end - begin);
        var level = BitOperations.TrailingZeroCount(remaining);
        var start = end - (1L << level);
        Debug.Assert(start % (1L << level) == 0);
        Node(level, start >> level).CopyTo(destination);
        remaining &= remaining - 1;
        while (remaining != 0)
        {
            level = BitOperations.TrailingZeroCount(remaining);
            start -= 1L << level;
            Debug.Assert(start % (1L << level) == 0);
            MerkleHash.HashChildrenCore(Node(level, start >> level), destination, destination);
            remaining &= remaining - 1;
        }

        Debug.Assert(start == begin);
    }

    public static int InclusionPathLength(long index, long size)
    {
        Debug.Assert(index >= 0 && index < size);
        var count = 0;
        long begin = 0, end = size;
        while (end - begin > 1)
        {
            var k = LargestPowerOfTwoBelow(end - begin);
            if (index - begin < k)
            {
                end = begin + k;
            }
            else
            {
                begin += k;
            }

            count++;
        }

        return count;
    }

    /// <summary>RFC 9162 §2.1.3.1 PATH(index, D[0:size]), deepest node first.</summary>
    public void InclusionPath(long index, long size, Span<byte> destination)
    {
        Debug.Assert(size <= _size);
        Debug.Assert(destination.Length == InclusionPathLength(index, size) * MerkleHash.Size);

        // The recursion finds siblings from the root down; the path lists them from the leaf up.
        var slot = destination.Length / MerkleHash.Size;
        long begin = 0, end = size;
        while (end - begin > 1)
        {
            var k = LargestPowerOfTwoBelow(end - begin);
            slot--;
            var node = destination.Slice(slot * MerkleHash.Size, MerkleHash.Size);
            if (index - begin < k)
            {
                SubtreeHash(begin + k, end, node);
                end = begin + k;
            }
            else
            {
                SubtreeHash(begin, begin + k, node);
                begin += k;
            }
        }

        Debug.Assert(slot == 0);
    }

    public static int ConsistencyPathLength(long first, long second)
    {
        Debug.Assert(first >= 0 && first <= second);
        if (first == 0 || first == second)
        {
            return 0;
        }

        var count = 0;
        long begin = 0, end = second, m = first;
        var complete = true;
        while (true)
        {
            if (m == end - begin)
            {
                return complete ? count : count + 1;
            }

            var k = LargestPowerOfTwoBelow(end - begin);
            if (m <= k)
            {
                end = begin + k;
            }
            else
            {
                m -= k;
                begin += k;
                complete = false;
            }

            count++;
        }
    }

    /// <summary>RFC 9162 §2.1.4.1 PROOF(first, D[0:second]), deepest node first.</summary>
    public void ConsistencyPath(long first, long second, Span<byte> destination)
    {
        Debug.Assert(second <= _size);
        Debug.Assert(destination.Length == ConsistencyPathLength(first, second) * MerkleHash.Size);
        if (destination.IsEmpty)
        {
            return;
        }

        var slot = destination.Length / MerkleHash.Size;
        long begin = 0, end = second, m = first;
        var complete = true;
        while (true)
        {
            if (m == end - begin)
            {
                // SUBPROOF(m, D[m], false) = {MTH(D[m])}; with true the verifier already knows it.
                if (!complete)
                {
                    slot--;
                    SubtreeHash(begin, end, destination.Slice(slot * MerkleHash.Size, MerkleHash.Size));
                }

                break;
            }

            var k = LargestPowerOfTwoBelow(end - begin);
            slot--;
            var node = destination.Slice(slot * MerkleHash.Size, MerkleHash.Size);
            if (m <= k)
            {
                SubtreeHash(begin + k, end, node);
                end = begin + k;
            }
            else
            {
                SubtreeHash(begin, begin + k, node);
                m -= k;
                begin += k;
                complete = false;
            }
        }

        Debug.Assert(slot == 0);
    }

    public void Dispose()
    {
        Free();
        GC.SuppressFinalize(this);
    }

    /// <summary>The largest power of two strictly below <paramref name="n"/> (n ≥ 2), the RFC's split point k.</summary>
    internal static long LargestPowerOfTwoBelow(long n)
    {
        Debug.Assert(n >= 2);
        return 1L << (63 - BitOperations.LeadingZeroCount((ulong)(n - 1)));
    }

    private Span<byte> Node(int level, long index)
    {
        Debug.Assert(index < _capacity[level]);
        return new Span<byte>(_levels[level] + (index * MerkleHash.Size), MerkleHash.Size);
    }

    private void EnsureCapacity(int level, long needed)
    {
        if (needed > _capacity[level])
        {
            Grow(level, Math.Max(needed, Math.Max(MinCapacity, _capacity[level] * 2)));
        }
    }

    private void Grow(int level, long capacity)
    {
        var bytes = checked((nuint)capacity * MerkleHash.Size);
        _levels[level] = (byte*)NativeMemory.AlignedRealloc(_levels[level], bytes, Alignment);
        _capacity[level] = capacity;
    }

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ProtocolThrow.Disposed(this);
        }
    }

    private void Free()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        for (var k = 0; k < MaxLevels; k++)
        {
            if (_levels[k] != null)
            {
                NativeMemory.AlignedFree(_levels[k]);
                _levels[k] = null;
            }
        }
    }
}
