using Privomega.Pir.Engine;
using Privomega.Protocol.Tokens;

namespace Privomega.Protocol.Tests.Tokens;

public class TokenServiceTests
{
    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Origin = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly TokenIssuerOptions Options = new()
    {
        TokensPerPeriod = 4,
        PeriodLength = TimeSpan.FromHours(1),
        Overlap = TimeSpan.FromMinutes(10),
        Origin = Origin,
    };

    public static TheoryData<TokenKind> Kinds() => new() { TokenKind.Voprf, TokenKind.RsaBlind };

    // RSA key generation dominates these tests; two 2048-bit keys are made once and handed out in turn.
    private static readonly Lazy<Org.BouncyCastle.Crypto.Parameters.RsaPrivateCrtKeyParameters[]> RsaPool =
        new(() => Enumerable.Range(0, 2).Select(_ => RsaBssaPrivateKey.Generate(2048).Parameters).ToArray());

    /// <summary>An issuer whose RSA key for period p is pool[(keyOffset + p) % 2], so consecutive periods and offsets differ.</summary>
    private static (TokenIssuer Issuer, ManualTime Time) NewIssuer(TokenKind kind, TokenIssuerOptions? options = null, int keyOffset = 0)
    {
        var time = new ManualTime(Origin + TimeSpan.FromMinutes(30));
        Func<long, ITokenIssuerKey> factory = kind == TokenKind.Voprf
            ? _ => VoprfTokenIssuerKey.Generate()
            : period => new RsaTokenIssuerKey(new RsaBssaPrivateKey(RsaPool.Value[(int)((keyOffset + period) % 2)]));
        return (new TokenIssuer(kind, factory, options ?? Options, time), time);
    }

    private static TokenClient ClientFor(TokenIssuer issuer)
    {
        Assert.True(TokenClient.TryCreate(issuer.PublishedKeys()[0], out TokenClient? client));
        return client;
    }

    private static IReadOnlyList<AnonymousToken> Obtain(TokenIssuer issuer, byte[] user, int count)
    {
        TokenClient client = ClientFor(issuer);
        byte[] request = client.CreateRequest(count, out TokenBlinding blinding);
        using (blinding)
        {
            Assert.Equal(TokenIssueStatus.Issued, issuer.Issue(user, request, out byte[]? answer, out _));
            Assert.True(client.TryFinalize(blinding, answer, out IReadOnlyList<AnonymousToken>? tokens, out PirDecodeError error), error.ToString());
            return tokens;
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Issue_finalize_redeem_and_double_spend(TokenKind kind)
    {
        (TokenIssuer issuer, _) = NewIssuer(kind);
        using (issuer)
        {
            IReadOnlyList<AnonymousToken> tokens = Obtain(issuer, "alice"u8.ToArray(), 3);
            Assert.Equal(3, tokens.Count);
            Assert.Equal(3, tokens.Select(t => Convert.ToHexString(t.Input.Span)).Distinct().Count());
            foreach (AnonymousToken token in tokens)
            {
                Assert.Equal(kind, token.Kind);
                Assert.Equal(0, token.Period);
                Assert.Equal(TokenRedeemStatus.Accepted, issuer.Redeem(token.Encode()));
            }

            foreach (AnonymousToken token in tokens)
            {
                Assert.Equal(TokenRedeemStatus.DoubleSpent, issuer.Redeem(token.Encode()));
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Quota_is_k_per_user_per_period(TokenKind kind)
    {
        (TokenIssuer issuer, ManualTime time) = NewIssuer(kind);
        using (issuer)
        {
            byte[] alice = "alice"u8.ToArray();
            Obtain(issuer, alice, 3);
            Assert.Equal(1, issuer.Remaining(alice));

            TokenClient client = ClientFor(issuer);
            byte[] tooMany = client.CreateRequest(2, out TokenBlinding blinding);
            blinding.Dispose();
            Assert.Equal(TokenIssueStatus.QuotaExceeded, issuer.Issue(alice, tooMany, out byte[]? answer, out _));
            Assert.Null(answer);
            Assert.Equal(1, issuer.Remaining(alice));
            Obtain(issuer, alice, 1);
            Assert.Equal(0, issuer.Remaining(alice));

            Assert.Equal(4, issuer.Remaining("bob"u8));
            Obtain(issuer, "bob"u8.ToArray(), 4);

            time.Now += TimeSpan.FromHours(1);
            Assert.Equal(4, issuer.Remaining(alice));
            Obtain(issuer, alice, 4);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Keys_rotate_and_the_previous_period_is_accepted_only_during_the_overlap(TokenKind kind)
    {
        (TokenIssuer issuer, ManualTime time) = NewIssuer(kind);
        using (issuer)
        {
            byte[] user = "carol"u8.ToArray();
            IReadOnlyList<AnonymousToken> old = Obtain(issuer, user, 4);
            TokenClient oldClient = ClientFor(issuer);
            Assert.Equal(TokenRedeemStatus.Accepted, issuer.Redeem(old[0].Encode()));

            time.Now = Origin + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(5);
            Assert.Equal(1, issuer.CurrentPeriod);
            IReadOnlyList<TokenPublicKey> published = issuer.PublishedKeys();
            Assert.Equal([1L, 0L], published.Select(k => k.Period));
            Assert.NotEqual(published[0].PublicKey, published[1].PublicKey);

            Assert.Equal(TokenRedeemStatus.Accepted, issuer.Redeem(old[1].Encode()));
            Assert.Equal(TokenRedeemStatus.DoubleSpent, issuer.Redeem(old[0].Encode()));

            // The old key no longer issues, and a new-period token is a different key's.
            byte[] stale = oldClient.CreateRequest(1, out TokenBlinding blinding);
            blinding.Dispose();
            Assert.Equal(TokenIssueStatus.WrongPeriod, issuer.Issue(user, stale, out _, out _));
            IReadOnlyList<AnonymousToken> fresh = Obtain(issuer, user, 1);
            Assert.Equal(1, fresh[0].Period);

            // Relabelling an old token with the new period does not make it verify.
            byte[] relabelled = old[2].Encode();
            relabelled[9] = 1;
            Assert.Equal(TokenRedeemStatus.Invalid, issuer.Redeem(relabelled));

            time.Now = Origin + TimeSpan.FromHours(1) + TimeSpan.FromMinutes(10);
            Assert.Equal(TokenRedeemStatus.UnknownPeriod, issuer.Redeem(old[3].Encode()));
            Assert.Equal([1L], issuer.PublishedKeys().Select(k => k.Period));
            Assert.Equal(TokenRedeemStatus.Accepted, issuer.Redeem(fresh[0].Encode()));

            byte[] future = fresh[0].Encode();
            future[9] = 2;
            Assert.Equal(TokenRedeemStatus.UnknownPeriod, issuer.Redeem(future));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Tampered_tokens_are_rejected_and_not_marked_spent(TokenKind kind)
    {
        (TokenIssuer issuer, _) = NewIssuer(kind);
        using (issuer)
        {
            AnonymousToken token = Obtain(issuer, "dave"u8.ToArray(), 1)[0];
            byte[] wire = token.Encode();
            for (int index = TokenWire.HeaderSize; index < wire.Length; index += 37)
            {
                byte[] bad = (byte[])wire.Clone();
                bad[index] ^= 0x10;
                Assert.Equal(TokenRedeemStatus.Invalid, issuer.Redeem(bad));
            }

            Assert.Equal(TokenRedeemStatus.Malformed, issuer.Redeem(wire.AsSpan(0, wire.Length - 1)));
            Assert.Equal(TokenRedeemStatus.Malformed, issuer.Redeem([.. wire, 0]));
            Assert.Equal(TokenRedeemStatus.Malformed, issuer.Redeem(wire.AsSpan(0, 5)));
            byte[] version = (byte[])wire.Clone();
            version[0] = 2;
            Assert.Equal(TokenRedeemStatus.Malformed, issuer.Redeem(version));
            byte[] otherKind = (byte[])wire.Clone();
            otherKind[1] = (byte)(kind == TokenKind.Voprf ? TokenKind.RsaBlind : TokenKind.Voprf);
            Assert.Equal(TokenRedeemStatus.WrongKind, issuer.Redeem(otherKind));
            byte[] unknownKind = (byte[])wire.Clone();
            unknownKind[1] = 9;
            Assert.Equal(TokenRedeemStatus.Malformed, issuer.Redeem(unknownKind));

            Assert.Equal(TokenRedeemStatus.Accepted, issuer.Redeem(wire));
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Client_rejects_tampered_or_foreign_answers(TokenKind kind)
    {
        (TokenIssuer issuer, _) = NewIssuer(kind, Options with { TokensPerPeriod = 64 });
        (TokenIssuer other, _) = NewIssuer(kind, Options with { TokensPerPeriod = 64 }, keyOffset: 1);
        using (issuer)
        using (other)
        {
            TokenClient client = ClientFor(issuer);
            byte[] user = "erin"u8.ToArray();
            byte[] request = client.CreateRequest(2, out TokenBlinding blinding);
            using (blinding)
            {
                Assert.Equal(TokenIssueStatus.Issued, issuer.Issue(user, request, out byte[]? answer, out _));
                // Another issuer's key answers the same request (an RSA element may exceed its modulus and be refused), never usably.
                TokenIssueStatus foreignStatus = other.Issue(user, request, out byte[]? foreign, out _);
                if (kind == TokenKind.Voprf || foreignStatus == TokenIssueStatus.Issued)
                {
                    Assert.Equal(TokenIssueStatus.Issued, foreignStatus);
                    Assert.False(client.TryFinalize(blinding, foreign!, out _, out _));
                }
                else
                {
                    Assert.Equal(TokenIssueStatus.InvalidElement, foreignStatus);
                }

                for (int index = TokenWire.HeaderSize + 2; index < answer!.Length; index += 29)
                {
                    byte[] bad = (byte[])answer.Clone();
                    bad[index] ^= 0x01;
                    Assert.False(client.TryFinalize(blinding, bad, out _, out _), $"answer byte {index}");
                }

                Assert.False(client.TryFinalize(blinding, answer.AsSpan(0, answer.Length - 1), out _, out PirDecodeError truncated));
                Assert.Equal(PirDecodeStatus.Truncated, truncated.Status);
                byte[] wrongPeriod = (byte[])answer.Clone();
                wrongPeriod[9] ^= 1;
                Assert.False(client.TryFinalize(blinding, wrongPeriod, out _, out PirDecodeError periodError));
                Assert.Equal("token period", periodError.Field);
                Assert.True(client.TryFinalize(blinding, answer, out IReadOnlyList<AnonymousToken>? tokens, out _));
                Assert.Equal(2, tokens.Count);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Malformed_requests_issue_nothing(TokenKind kind)
    {
        (TokenIssuer issuer, _) = NewIssuer(kind);
        using (issuer)
        {
            byte[] user = "frank"u8.ToArray();
            TokenClient client = ClientFor(issuer);
            byte[] request = client.CreateRequest(1, out TokenBlinding blinding);
            blinding.Dispose();
            Assert.Equal(TokenIssueStatus.Malformed, issuer.Issue(user, request.AsSpan(0, request.Length - 1), out _, out PirDecodeError error));
            Assert.Equal(PirDecodeStatus.Truncated, error.Status);
            Assert.Equal(TokenIssueStatus.Malformed, issuer.Issue(user, [.. request, 0], out _, out error));
            Assert.Equal(PirDecodeStatus.Oversized, error.Status);
            byte[] zeroCount = (byte[])request.Clone();
            zeroCount[11] = 0;
            Assert.Equal(TokenIssueStatus.Malformed, issuer.Issue(user, zeroCount, out _, out _));
            byte[] version = (byte[])request.Clone();
            version[0] = 0;
            Assert.Equal(TokenIssueStatus.Malformed, issuer.Issue(user, version, out _, out error));
            Assert.Equal(PirDecodeStatus.WrongVersion, error.Status);
            byte[] otherKind = (byte[])request.Clone();
            otherKind[1] = (byte)(kind == TokenKind.Voprf ? TokenKind.RsaBlind : TokenKind.Voprf);
            Assert.Equal(TokenIssueStatus.WrongKind, issuer.Issue(user, otherKind, out _, out _));

            // An element that is not in the group (VOPRF) or not below n (RSA) is refused and refunded.
            byte[] badElement = (byte[])request.Clone();
            badElement.AsSpan(TokenWire.HeaderSize + 2).Fill(0xFF);
            Assert.Equal(TokenIssueStatus.InvalidElement, issuer.Issue(user, badElement, out byte[]? answer, out _));
            Assert.Null(answer);
            Assert.Equal(4, issuer.Remaining(user));
        }
    }

    [Fact]
    public void Concurrent_redeems_accept_a_token_once_and_concurrent_requests_respect_the_quota()
    {
        (TokenIssuer issuer, _) = NewIssuer(TokenKind.Voprf);
        using (issuer)
        {
            byte[] user = "hana"u8.ToArray();
            TokenClient client = ClientFor(issuer);
            var requests = new byte[8][];
            var blindings = new TokenBlinding[8];
            for (int i = 0; i < 8; i++)
            {
                requests[i] = client.CreateRequest(1, out blindings[i]);
            }

            var statuses = new TokenIssueStatus[8];
            var answers = new byte[8][];
            Parallel.For(0, 8, i => statuses[i] = issuer.Issue(user, requests[i], out answers[i]!, out _));
            Assert.Equal(4, statuses.Count(s => s == TokenIssueStatus.Issued));
            Assert.Equal(4, statuses.Count(s => s == TokenIssueStatus.QuotaExceeded));
            Assert.Equal(0, issuer.Remaining(user));

            int first = Array.IndexOf(statuses, TokenIssueStatus.Issued);
            Assert.True(client.TryFinalize(blindings[first], answers[first], out IReadOnlyList<AnonymousToken>? tokens, out _));
            byte[] token = tokens[0].Encode();
            var redeemed = new TokenRedeemStatus[16];
            Parallel.For(0, 16, i => redeemed[i] = issuer.Redeem(token));
            Assert.Equal(1, redeemed.Count(s => s == TokenRedeemStatus.Accepted));
            Assert.Equal(15, redeemed.Count(s => s == TokenRedeemStatus.DoubleSpent));
            foreach (TokenBlinding blinding in blindings)
            {
                blinding.Dispose();
            }
        }
    }

    private sealed class TrackedKey(ITokenIssuerKey inner) : ITokenIssuerKey
    {
        public bool Disposed { get; private set; }

        public TokenKind Kind => inner.Kind;

        public int ElementSize => inner.ElementSize;

        public int ProofSize => inner.ProofSize;

        public int InputSize => inner.InputSize;

        public int AuthenticatorSize => inner.AuthenticatorSize;

        public byte[] ExportPublicKey() => inner.ExportPublicKey();

        public bool TryIssue(ReadOnlySpan<byte> blindedElements, Span<byte> answer) => inner.TryIssue(blindedElements, answer);

        public bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> authenticator) => inner.Verify(input, authenticator);

        public void Dispose()
        {
            Disposed = true;
            inner.Dispose();
        }
    }

    [Fact]
    public void Expired_keys_are_erased_once_their_overlap_ends()
    {
        var keys = new List<TrackedKey>();
        var time = new ManualTime(Origin + TimeSpan.FromMinutes(59));
        var issuer = new TokenIssuer(TokenKind.Voprf, _ =>
        {
            var key = new TrackedKey(VoprfTokenIssuerKey.Generate());
            keys.Add(key);
            return key;
        }, Options, time);
        using (issuer)
        {
            AnonymousToken token = Obtain(issuer, "gina"u8.ToArray(), 1)[0];
            time.Now = Origin + TimeSpan.FromMinutes(65);
            Assert.Equal(2, issuer.PublishedKeys().Count);
            Assert.False(keys[0].Disposed);
            time.Now = Origin + TimeSpan.FromMinutes(71);
            Assert.Single(issuer.PublishedKeys());
            Assert.True(keys[0].Disposed);
            Assert.False(keys[1].Disposed);
            Assert.Equal(TokenRedeemStatus.UnknownPeriod, issuer.Redeem(token.Encode()));
        }

        Assert.All(keys, k => Assert.True(k.Disposed));
        Assert.Throws<ObjectDisposedException>(() => issuer.PublishedKeys());
    }

    [Fact]
    public void Options_and_keys_are_validated()
    {
        Func<long, ITokenIssuerKey> factory = _ => VoprfTokenIssuerKey.Generate();
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenIssuer(TokenKind.Voprf, factory, Options with { TokensPerPeriod = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenIssuer(TokenKind.Voprf, factory, Options with { Overlap = TimeSpan.FromHours(2) }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TokenIssuer((TokenKind)7, factory, Options));
        using var mismatched = new TokenIssuer(TokenKind.RsaBlind, factory, Options);
        Assert.Throws<ArgumentException>(() => mismatched.PublishedKeys());
        Assert.False(TokenClient.TryCreate(new TokenPublicKey(TokenKind.Voprf, 0, new byte[32]), out _));
        Assert.False(TokenClient.TryCreate(new TokenPublicKey(TokenKind.RsaBlind, 0, new byte[300]), out _));
    }
}
