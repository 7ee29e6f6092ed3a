using System.Diagnostics;
using System.Security.Cryptography;

namespace Privomega.Pir.Engine.Lattice;

/// <summary>
/// A BFV secret key: a ternary polynomial s, kept in coefficient form (for automorphisms) and in NTT
/// form modulo every prime including P. Both copies are zeroed on dispose.
/// </summary>
internal sealed class BfvSecretKey : IDisposable
{
    private readonly sbyte[] _coefficients;
    private readonly ulong[] _ntt;
    private bool _disposed;

    public BfvSecretKey(BfvContext context)
    {
        Context = context;
        _coefficients = new sbyte[context.N];
        SecretSampling.Ternary(_coefficients);
        _ntt = new ulong[(context.K + 1) * context.N];
        context.LiftSmall(_coefficients, _ntt, context.K + 1);
        context.ToNtt(_ntt, context.K + 1);
    }

    public BfvContext Context { get; }

    public ReadOnlySpan<sbyte> Coefficients
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _coefficients;
        }
    }

    /// <summary>s in NTT form, prime-major over all k + 1 primes.</summary>
    public ReadOnlySpan<ulong> Ntt
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _ntt;
        }
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_coefficients.AsSpan()));
            CryptographicOperations.ZeroMemory(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_ntt.AsSpan()));
            _disposed = true;
        }
    }
}

/// <summary>
/// A BFV ciphertext (c0, c1) with c0 + c1·s ≈ Δ·m (mod q_0·…·q_(L-1)), L = <see cref="Primes"/>.
/// Data holds c0 then c1, each prime-major; <see cref="IsNtt"/> says which domain they are in.
/// </summary>
internal sealed class BfvCiphertext
{
    public BfvCiphertext(int n, int primes, bool isNtt)
    {
        N = n;
        Primes = primes;
        IsNtt = isNtt;
        Data = new ulong[2 * primes * n];
    }

    public int N { get; }

    public int Primes { get; }

    public bool IsNtt { get; set; }

    public ulong[] Data { get; }

    public Span<ulong> C0 => Data.AsSpan(0, Primes * N);

    public Span<ulong> C1 => Data.AsSpan(Primes * N, Primes * N);

    public Span<ulong> Poly(int index) => index == 0 ? C0 : C1;

    public BfvCiphertext Clone()
    {
        var c = new BfvCiphertext(N, Primes, IsNtt);
        Data.CopyTo(c.Data, 0);
        return c;
    }
}

/// <summary>
/// A key-switching key from σ_g(s) to s for one Galois element g, with RNS (per-prime) gadget
/// decomposition and the special prime P (SEAL's scheme): digit i encrypts P·σ_g(s) in residue i
/// only, under the modulus q·P. B and A are in NTT form over all k + 1 primes; A is expanded from
/// the seed, so only B and the seed travel.
/// </summary>
internal sealed class BfvGaloisKey
{
    public BfvGaloisKey(uint galoisElement, byte[] seed, ulong[][] b, ulong[][] a)
    {
        Debug.Assert(b.Length == a.Length);
        GaloisElement = galoisElement;
        Seed = seed;
        B = b;
        A = a;
    }

    public uint GaloisElement { get; }

    public byte[] Seed { get; }

    public ulong[][] B { get; }

    public ulong[][] A { get; }
}
