using System.Security.Cryptography;

namespace Privomega.Protocol.Tokens;

/// <summary>
/// Token type 2 at the issuer: RSABSSA-SHA384-PSS-Randomized. A token is (prepared message =
/// 32-byte random prefix ‖ 32-byte random nonce, signature); anyone with the public key can verify it.
/// </summary>
public sealed class RsaTokenIssuerKey : ITokenIssuerKey
{
    internal const RsaBssaVariant Variant = RsaBssaVariant.Sha384PssRandomized;

    private readonly RsaBssaPrivateKey _key;

    public RsaTokenIssuerKey(RsaBssaPrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        _key = key;
    }

    public TokenKind Kind => TokenKind.RsaBlind;

    public int ElementSize => _key.PublicKey.ModulusBytes;

    public int ProofSize => 0;

    public int InputSize => RsaTokenClientKey.TokenInputSize;

    public int AuthenticatorSize => _key.PublicKey.ModulusBytes;

    public static RsaTokenIssuerKey Generate(int modulusBits = 2048) => new(RsaBssaPrivateKey.Generate(modulusBits));

    public byte[] ExportPublicKey() => _key.PublicKey.Export();

    public bool TryIssue(ReadOnlySpan<byte> blindedElements, Span<byte> answer)
    {
        if (answer.Length != blindedElements.Length)
        {
            ProtocolThrow.ArgumentLength(nameof(answer), answer.Length, blindedElements.Length);
        }

        int size = ElementSize;
        if (blindedElements.Length == 0 || blindedElements.Length % size != 0)
        {
            return false;
        }

        for (int offset = 0; offset < blindedElements.Length; offset += size)
        {
            if (!RsaBssa.TryBlindSign(_key, blindedElements.Slice(offset, size), answer.Slice(offset, size)))
            {
                answer.Clear();
                return false;
            }
        }

        return true;
    }

    public bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> authenticator) =>
        input.Length == InputSize && RsaBssa.Verify(_key.PublicKey, Variant, input, authenticator);

    public void Dispose() => _key.Dispose();
}

/// <summary>Token type 2 at the client.</summary>
public sealed class RsaTokenClientKey : ITokenClientKey
{
    /// <summary>Prepared message: RFC 9474's 32-byte random prefix ‖ a 32-byte random nonce.</summary>
    public const int TokenInputSize = RsaBssa.PrefixLength + NonceSize;

    private const int NonceSize = 32;

    /// <summary>RSA work per request is large; a request carries at most this many elements.</summary>
    public const int MaxBatch = 64;

    private readonly RsaBssaPublicKey _publicKey;

    private RsaTokenClientKey(RsaBssaPublicKey publicKey) => _publicKey = publicKey;

    public TokenKind Kind => TokenKind.RsaBlind;

    public int ElementSize => _publicKey.ModulusBytes;

    public int ProofSize => 0;

    public int InputSize => TokenInputSize;

    public int AuthenticatorSize => _publicKey.ModulusBytes;

    public static bool TryImport(ReadOnlySpan<byte> publicKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RsaTokenClientKey? key)
    {
        key = RsaBssaPublicKey.TryImport(publicKey, out RsaBssaPublicKey? pk) ? new RsaTokenClientKey(pk) : null;
        return key is not null;
    }

    public TokenBlinding Blind(int count)
    {
        if (count is < 1 or > MaxBatch)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(count), count, $"1..{MaxBatch}");
        }

        byte[] inputs = new byte[count * TokenInputSize];
        byte[] elements = new byte[count * ElementSize];
        var blindings = new RsaBssaBlinding[count];
        for (int i = 0; i < count; i++)
        {
            byte[] nonce = RandomNumberGenerator.GetBytes(NonceSize);
            byte[] prepared = RsaBssa.Prepare(RsaTokenIssuerKey.Variant, nonce);
            prepared.CopyTo(inputs, i * TokenInputSize);
            blindings[i] = RsaBssa.Blind(_publicKey, RsaTokenIssuerKey.Variant, prepared);
            blindings[i].BlindedMessage.Span.CopyTo(elements.AsSpan(i * ElementSize));
        }

        return new RsaBlinding(count, inputs, elements, blindings);
    }

    public bool TryFinalize(TokenBlinding blinding, ReadOnlySpan<byte> answer, Span<byte> authenticators)
    {
        if (blinding is not RsaBlinding b)
        {
            ProtocolThrow.Argument(nameof(blinding), "The blinding was not made by an RSA token key.");
            return false;
        }

        int size = ElementSize;
        if (authenticators.Length != b.Count * size)
        {
            ProtocolThrow.ArgumentLength(nameof(authenticators), authenticators.Length, b.Count * size);
        }

        if (answer.Length != b.Count * size)
        {
            return false;
        }

        for (int i = 0; i < b.Count; i++)
        {
            if (!RsaBssa.TryFinalize(_publicKey, RsaTokenIssuerKey.Variant, b.Inputs.Span.Slice(i * TokenInputSize, TokenInputSize),
                answer.Slice(i * size, size), b.Blindings[i], authenticators.Slice(i * size, size)))
            {
                authenticators.Clear();
                return false;
            }
        }

        return true;
    }

    private sealed class RsaBlinding(int count, byte[] inputs, byte[] elements, RsaBssaBlinding[] blindings) : TokenBlinding(count, inputs, elements)
    {
        public RsaBssaBlinding[] Blindings { get; } = blindings;

        protected override void Dispose(bool disposing)
        {
            foreach (RsaBssaBlinding blinding in Blindings)
            {
                blinding.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
