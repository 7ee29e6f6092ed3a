using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Privomega.Protocol.Primitives;
using Privomega.Protocol.Ratchet;
using Privomega.Protocol.Tokens;

namespace Privomega.Pir.Bench;

/// <summary>Adds an ops/s column: the protocol targets are stated as operations per second on one core.</summary>
public sealed class OpsPerSecondConfig : ManualConfig
{
    public OpsPerSecondConfig() => AddColumn(StatisticColumn.OperationsPerSecond);
}

/// <summary>
/// The primitives every Privomega message or registration pays for, one operation per call on one
/// core. Message sizes are the chat layer's: one 160-byte padding class.
/// (VRF prove/verify for both suites is <see cref="VrfBenchmarks"/>.)
/// </summary>
[MemoryDiagnoser]
[Config(typeof(OpsPerSecondConfig))]
public class PrimitiveBenchmarks
{
    private const int MessageSize = 160;
    private readonly byte[] _message = new byte[MessageSize];
    private readonly byte[] _signature = new byte[64];
    private readonly byte[] _key = new byte[32];
    private readonly byte[] _nonce = new byte[24];
    private readonly byte[] _ad = new byte[64];
    private readonly byte[] _ciphertext = new byte[MessageSize + 16];
    private readonly byte[] _plaintext = new byte[MessageSize];
    private readonly byte[] _shared = new byte[32];
    private readonly byte[] _okm = new byte[96];
    private Ed25519KeyPair? _signer;
    private X25519KeyPair? _dh;
    private X25519PublicKey? _peer;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(4);
        random.NextBytes(_message);
        random.NextBytes(_key);
        random.NextBytes(_nonce);
        _signer = Ed25519KeyPair.Generate();
        _signer.Sign(_message, _signature);
        _dh = X25519KeyPair.Generate();
        using X25519KeyPair peer = X25519KeyPair.Generate();
        _peer = peer.PublicKey;
        XChaCha20Poly1305.Seal(_key, _nonce, _message, _ad, _ciphertext);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _signer?.Dispose();
        _dh?.Dispose();
    }

    [Benchmark]
    public void Ed25519Sign() => _signer!.Sign(_message, _signature);

    [Benchmark]
    public bool Ed25519Verify() => Ed25519.Verify(_signer!.PublicKey, _message, _signature);

    [Benchmark]
    public bool X25519Agree() => _dh!.TryAgree(_peer!, _shared);

    [Benchmark]
    public void XChaChaSeal160() => XChaCha20Poly1305.Seal(_key, _nonce, _message, _ad, _ciphertext);

    [Benchmark]
    public bool XChaChaOpen160() => XChaCha20Poly1305.TryOpen(_key, _nonce, _ciphertext, _ad, _plaintext);

    /// <summary>The session key schedule's shape: 96 bytes (sid_a, sid_b, k_e) from a 32-byte secret.</summary>
    [Benchmark]
    public void HkdfSha256Derive96() => Hkdf.DeriveKey(HkdfHash.Sha256, _shared, _key, _ad, _okm);
}

/// <summary>
/// Anonymous tokens on the server side, one token per operation. Issue is the issuer's work for a
/// one-element request (VOPRF: evaluation + DLEQ proof; RSA: a 2048-bit blind signature with its
/// fault check); redeem is verification (VOPRF: Evaluate + compare; RSA: PSS verify). The
/// "service" variants add the wire codec, the per-user quota and the spent-set lookup of
/// <see cref="TokenIssuer"/>. Paper's reference point for VOPRF issue + redeem: 14 ms.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(OpsPerSecondConfig))]
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "BenchmarkDotNet cannot run sealed classes; [GlobalCleanup] disposes the issuer.")]
public class TokenBenchmarks
{
    private VoprfTokenIssuerKey? _voprfKey;
    private RsaTokenIssuerKey? _rsaKey;
    private byte[] _voprfElement = [];
    private byte[] _voprfAnswer = [];
    private AnonymousToken? _voprfToken;
    private byte[] _rsaElement = [];
    private byte[] _rsaAnswer = [];
    private AnonymousToken? _rsaToken;
    private TokenIssuer? _voprfIssuer;
    private byte[] _voprfRequest = [];
    private byte[] _voprfSpent = [];
    private int _user;

    [GlobalSetup]
    public void Setup()
    {
        _voprfKey = VoprfTokenIssuerKey.Generate();
        _rsaKey = RsaTokenIssuerKey.Generate(2048);
        (_voprfElement, _voprfAnswer, _voprfToken) = OneToken(_voprfKey);
        (_rsaElement, _rsaAnswer, _rsaToken) = OneToken(_rsaKey);

        _voprfIssuer = new TokenIssuer(TokenKind.Voprf, _ => VoprfTokenIssuerKey.Generate(), new TokenIssuerOptions { TokensPerPeriod = 1 });
        Assert(TokenClient.TryCreate(_voprfIssuer.PublishedKeys()[0], out TokenClient? client));
        _voprfRequest = client!.CreateRequest(1, out TokenBlinding blinding);
        Assert(_voprfIssuer.Issue("setup"u8, _voprfRequest, out byte[]? answer, out _) == TokenIssueStatus.Issued);
        Assert(client.TryFinalize(blinding, answer, out IReadOnlyList<AnonymousToken>? tokens, out _));
        blinding.Dispose();
        _voprfSpent = tokens![0].Encode();
        Assert(_voprfIssuer.Redeem(_voprfSpent) == TokenRedeemStatus.Accepted);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _voprfKey?.Dispose();
        _rsaKey?.Dispose();
        _voprfIssuer?.Dispose();
    }

    [Benchmark]
    public bool VoprfIssue() => _voprfKey!.TryIssue(_voprfElement, _voprfAnswer);

    [Benchmark]
    public bool VoprfRedeem() => _voprfKey!.Verify(_voprfToken!.Input.Span, _voprfToken.Authenticator.Span);

    /// <summary>The number to hold against the paper's 14 ms.</summary>
    [Benchmark]
    public bool VoprfIssuePlusRedeem() => _voprfKey!.TryIssue(_voprfElement, _voprfAnswer) & _voprfKey.Verify(_voprfToken!.Input.Span, _voprfToken.Authenticator.Span);

    /// <summary>Full service path: decode, quota (a fresh user each call, k = 1), evaluate + proof, encode.</summary>
    [Benchmark]
    public TokenIssueStatus VoprfServiceIssue() => _voprfIssuer!.Issue(BitConverter.GetBytes(++_user), _voprfRequest, out _, out _);

    /// <summary>Full service path on an already spent token: decode, verify, spent-set lookup (verification runs before the lookup).</summary>
    [Benchmark]
    public TokenRedeemStatus VoprfServiceRedeem() => _voprfIssuer!.Redeem(_voprfSpent);

    [Benchmark]
    public bool RsaIssue() => _rsaKey!.TryIssue(_rsaElement, _rsaAnswer);

    [Benchmark]
    public bool RsaRedeem() => _rsaKey!.Verify(_rsaToken!.Input.Span, _rsaToken.Authenticator.Span);

    private static (byte[] Element, byte[] Answer, AnonymousToken Token) OneToken(ITokenIssuerKey key)
    {
        var published = new TokenPublicKey(key.Kind, 0, key.ExportPublicKey());
        Assert(TokenClient.TryCreate(published, out TokenClient? client));
        byte[] request = client!.CreateRequest(1, out TokenBlinding blinding);
        byte[] element = request[(TokenWire.HeaderSize + 2)..];
        byte[] body = new byte[key.ElementSize + key.ProofSize];
        Assert(key.TryIssue(element, body));
        byte[] answer = [.. request[..(TokenWire.HeaderSize + 2)], .. body];
        Assert(client.TryFinalize(blinding, answer, out IReadOnlyList<AnonymousToken>? tokens, out _));
        blinding.Dispose();
        return (element, body, tokens![0]);
    }

    private static void Assert(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("Benchmark setup failed.");
        }
    }
}

/// <summary>Double Ratchet per message (160-byte padded plaintext): send, and a receive that takes a DH step.</summary>
[MemoryDiagnoser]
[Config(typeof(OpsPerSecondConfig))]
public class RatchetBenchmarks
{
    private readonly byte[] _plaintext = new byte[160];
    private readonly byte[] _ad = new byte[64];
    private readonly byte[] _message = new byte[DoubleRatchet.CiphertextSize(160)];
    private DoubleRatchet? _alice;
    private byte[] _bobState = [];
    private byte[] _first = [];

    [GlobalSetup]
    public void Setup()
    {
        byte[] sk = new byte[32];
        new Random(7).NextBytes(sk);
        using X25519KeyPair bobKey = X25519KeyPair.Generate();
        _alice = DoubleRatchet.InitializeInitiator(sk, bobKey.PublicKey);
        using DoubleRatchet bob = DoubleRatchet.InitializeResponder(sk, bobKey);
        _bobState = bob.Serialize();
        _first = _alice.Encrypt(_plaintext, _ad);
    }

    [GlobalCleanup]
    public void Cleanup() => _alice?.Dispose();

    [Benchmark]
    public void Encrypt() => _alice!.Encrypt(_plaintext, _ad, _message);

    /// <summary>Restore the responder, then decrypt the first message (two X25519, two KDF_RK, one AEAD).</summary>
    [Benchmark]
    public RatchetDecryptStatus RestoreAndDecryptWithDhStep()
    {
        DoubleRatchet.TryDeserialize(_bobState, out DoubleRatchet? bob, out _);
        using (bob)
        {
            return bob!.TryDecrypt(_first, _ad, out _, out _);
        }
    }
}

/// <summary>HPKE base mode (RFC 9180; DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305), single shot, on a matchmaking-sized payload.</summary>
[MemoryDiagnoser]
[Config(typeof(OpsPerSecondConfig))]
public class HpkeBenchmarks
{
    private const int PayloadSize = 1024;
    private readonly byte[] _plaintext = new byte[PayloadSize];
    private readonly byte[] _opened = new byte[PayloadSize];
    private readonly byte[] _sealed = new byte[Privomega.Protocol.Hpke.HpkeX25519.SealedLength(PayloadSize)];
    private readonly byte[] _info = "Privomega matchmaking"u8.ToArray();
    private X25519KeyPair? _recipient;

    [GlobalSetup]
    public void Setup()
    {
        new Random(9180).NextBytes(_plaintext);
        _recipient = X25519KeyPair.Generate();
        Privomega.Protocol.Hpke.HpkeX25519.Seal(_recipient.PublicKey, _info, [], _plaintext, _sealed);
    }

    [GlobalCleanup]
    public void Cleanup() => _recipient?.Dispose();

    [Benchmark]
    public void Seal1K() => Privomega.Protocol.Hpke.HpkeX25519.Seal(_recipient!.PublicKey, _info, [], _plaintext, _sealed);

    [Benchmark]
    public bool Open1K() => Privomega.Protocol.Hpke.HpkeX25519.TryOpen(_recipient!, _info, [], _sealed, _opened);
}

/// <summary>RFC 9162 inclusion and consistency proof verification in a tree of 2^20 leaves (what a client checks every epoch).</summary>
[MemoryDiagnoser]
[Config(typeof(OpsPerSecondConfig))]
public class MerkleBenchmarks
{
    private const long Leaves = 1L << 20;
    private readonly byte[] _root = new byte[Privomega.Protocol.Merkle.MerkleHash.Size];
    private readonly byte[] _oldRoot = new byte[Privomega.Protocol.Merkle.MerkleHash.Size];
    private byte[] _leafHash = [];
    private byte[] _inclusion = [];
    private byte[] _consistency = [];
    private long _index;
    private long _oldSize;

    [GlobalSetup]
    public void Setup()
    {
        using var log = new Privomega.Protocol.Merkle.MerkleLog(Leaves);
        byte[] leaf = new byte[64];
        for (long i = 0; i < Leaves; i++)
        {
            BitConverter.TryWriteBytes(leaf, i);
            log.Append(leaf);
        }

        // An index and an old size that are not powers of two, so proofs take the long path.
        _index = 777_777;
        _oldSize = 999_999;
        _leafHash = new byte[Privomega.Protocol.Merkle.MerkleHash.Size];
        log.GetLeafHash(_index, _leafHash);
        log.RootAt(Leaves, _root);
        log.RootAt(_oldSize, _oldRoot);
        _inclusion = log.GetInclusionProof(_index, Leaves);
        _consistency = log.GetConsistencyProof(_oldSize, Leaves);
        if (!VerifyInclusion() || !VerifyConsistency())
        {
            throw new InvalidOperationException("Benchmark setup failed.");
        }
    }

    [Benchmark]
    public bool VerifyInclusion() => Privomega.Protocol.Merkle.MerkleVerifier.VerifyInclusion(_leafHash, _index, Leaves, _inclusion, _root);

    [Benchmark]
    public bool VerifyConsistency() => Privomega.Protocol.Merkle.MerkleVerifier.VerifyConsistency(_oldSize, Leaves, _consistency, _oldRoot, _root);
}
