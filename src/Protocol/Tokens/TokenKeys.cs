namespace Privomega.Protocol.Tokens;

/// <summary>The two anonymous-token types (DESIGN.md, "Anonymous tokens"); the byte is on the wire.</summary>
public enum TokenKind : byte
{
    /// <summary>Type 1: RFC 9497 VOPRF, ristretto255-SHA512 (fast, privately verifiable; the default).</summary>
    Voprf = 1,

    /// <summary>Type 2: RFC 9474 RSABSSA-SHA384-PSS-Randomized (publicly verifiable).</summary>
    RsaBlind = 2,
}

/// <summary>
/// The issuer's half of a token type for one key period. <see cref="TokenIssuer"/> drives either
/// type through this interface: it never looks inside elements, answers or authenticators.
/// </summary>
public interface ITokenIssuerKey : IDisposable
{
    TokenKind Kind { get; }

    /// <summary>Bytes of one blinded element in a request (and of one evaluated element in the answer).</summary>
    int ElementSize { get; }

    /// <summary>Bytes the answer adds after the elements (the batch's DLEQ proof for the VOPRF).</summary>
    int ProofSize { get; }

    /// <summary>Bytes of a token's input and authenticator.</summary>
    int InputSize { get; }

    int AuthenticatorSize { get; }

    /// <summary>What clients need to blind and to check answers (pkS, or the RSA public key's wire form).</summary>
    byte[] ExportPublicKey();

    /// <summary>Evaluates or signs a batch of blinded elements into <c>count × ElementSize + ProofSize</c> bytes; false on any invalid element.</summary>
    bool TryIssue(ReadOnlySpan<byte> blindedElements, Span<byte> answer);

    /// <summary>True if <paramref name="authenticator"/> is what this key gives for <paramref name="input"/>.</summary>
    bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> authenticator);
}

/// <summary>The client's half of a token type for one key period, built from the issuer's public key.</summary>
public interface ITokenClientKey
{
    TokenKind Kind { get; }

    int ElementSize { get; }

    int ProofSize { get; }

    int InputSize { get; }

    int AuthenticatorSize { get; }

    /// <summary>Picks <paramref name="count"/> fresh random inputs and blinds them.</summary>
    TokenBlinding Blind(int count);

    /// <summary>Unblinds an answer into <c>count × AuthenticatorSize</c> bytes; false if it does not verify.</summary>
    bool TryFinalize(TokenBlinding blinding, ReadOnlySpan<byte> answer, Span<byte> authenticators);
}

/// <summary>A client's pending request: the random inputs, the blinded elements sent, and the secrets kept to unblind.</summary>
public abstract class TokenBlinding : IDisposable
{
    protected TokenBlinding(int count, byte[] inputs, byte[] blindedElements)
    {
        Count = count;
        Inputs = inputs;
        BlindedElements = blindedElements;
    }

    public int Count { get; }

    /// <summary>Count × InputSize bytes: what the tokens will carry when spent.</summary>
    public ReadOnlyMemory<byte> Inputs { get; }

    /// <summary>Count × ElementSize bytes: what the request carries.</summary>
    public ReadOnlyMemory<byte> BlindedElements { get; }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}
