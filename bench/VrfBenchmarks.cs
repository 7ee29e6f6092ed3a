using BenchmarkDotNet.Attributes;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Vrf;

namespace Privomega.Pir.Bench;

/// <summary>
/// ECVRF-EDWARDS25519-SHA512 (RFC 9381) prove / verify / proof-to-hash on one core, both suites.
/// Target (issue 4): ≥ 2,300–3,900 proofs/s and ≥ 1,400–2,200 verifications/s for TAI.
/// The input mirrors matchmaking: a short alpha binding domain, epoch and beacon nonce.
/// </summary>
[MemoryDiagnoser]
public class VrfBenchmarks
{
    private readonly byte[] _alpha = new byte[64];
    private readonly byte[] _proof = new byte[EcVrf.ProofSize];
    private readonly byte[] _beta = new byte[EcVrf.OutputSize];
    private Ed25519KeyPair? _keyPair;

    [Params(EcVrfSuite.Edwards25519Sha512Tai, EcVrfSuite.Edwards25519Sha512Ell2)]
    public EcVrfSuite Suite { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        new Random(9381).NextBytes(_alpha);
        _keyPair = Ed25519KeyPair.Import(new byte[Ed25519KeyPair.SeedSize]);
        EcVrf.Prove(Suite, _keyPair, _alpha, _proof);
    }

    [GlobalCleanup]
    public void Cleanup() => _keyPair?.Dispose();

    [Benchmark]
    public void Prove() => EcVrf.Prove(Suite, _keyPair!, _alpha, _proof);

    [Benchmark]
    public bool Verify() => EcVrf.Verify(Suite, _keyPair!.PublicKey, _alpha, _proof, _beta);

    [Benchmark]
    public bool ProofToHash() => EcVrf.TryProofToHash(Suite, _proof, _beta);
}
