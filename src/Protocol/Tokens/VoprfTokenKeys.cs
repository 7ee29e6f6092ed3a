using System.Security.Cryptography;

namespace Privomega.Protocol.Tokens;

/// <summary>Token type 1 at the issuer: an RFC 9497 VOPRF key; a token is (random input, PRF output).</summary>
public sealed class VoprfTokenIssuerKey : ITokenIssuerKey
{
    private readonly OprfPrivateKey _key;

    public VoprfTokenIssuerKey(OprfPrivateKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Mode != OprfMode.Voprf)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(key), (long)key.Mode, "a key of OprfMode.Voprf (1)");
        }

        _key = key;
    }

    public TokenKind Kind => TokenKind.Voprf;

    public int ElementSize => Oprf.ElementSize;

    public int ProofSize => Oprf.ProofSize;

    public int InputSize => VoprfTokenClientKey.TokenInputSize;

    public int AuthenticatorSize => Oprf.OutputSize;

    public static VoprfTokenIssuerKey Generate() => new(OprfPrivateKey.Generate(OprfMode.Voprf));

    public byte[] ExportPublicKey() => _key.PublicKey.ToArray();

    public bool TryIssue(ReadOnlySpan<byte> blindedElements, Span<byte> answer)
    {
        int elements = blindedElements.Length;
        if (answer.Length != elements + ProofSize)
        {
            ProtocolThrow.ArgumentLength(nameof(answer), answer.Length, elements + ProofSize);
        }

        return Oprf.TryBlindEvaluate(_key, blindedElements, answer[..elements], answer[elements..]);
    }

    public bool Verify(ReadOnlySpan<byte> input, ReadOnlySpan<byte> authenticator)
    {
        if (input.Length != InputSize || authenticator.Length != AuthenticatorSize)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[Oprf.OutputSize];
        bool ok = Oprf.TryEvaluate(_key, input, expected) && CryptographicOperations.FixedTimeEquals(expected, authenticator);
        CryptographicOperations.ZeroMemory(expected);
        return ok;
    }

    public void Dispose() => _key.Dispose();
}

/// <summary>Token type 1 at the client: blinds random 32-byte inputs and checks the batch proof against pkS.</summary>
public sealed class VoprfTokenClientKey : ITokenClientKey
{
    /// <summary>Random bytes per token input: collisions between honest clients are negligible.</summary>
    public const int TokenInputSize = 32;

    private readonly byte[] _publicKey;

    private VoprfTokenClientKey(byte[] publicKey) => _publicKey = publicKey;

    public TokenKind Kind => TokenKind.Voprf;

    public int ElementSize => Oprf.ElementSize;

    public int ProofSize => Oprf.ProofSize;

    public int InputSize => TokenInputSize;

    public int AuthenticatorSize => Oprf.OutputSize;

    /// <summary>Imports pkS (32 bytes); false unless it is a valid non-identity ristretto255 element.</summary>
    public static bool TryImport(ReadOnlySpan<byte> publicKey, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out VoprfTokenClientKey? key)
    {
        Interop.Sodium.EnsureInitialized();
        key = publicKey.Length == Oprf.ElementSize && Ristretto255.IsValidElement(publicKey) ? new VoprfTokenClientKey(publicKey.ToArray()) : null;
        return key is not null;
    }

    public TokenBlinding Blind(int count)
    {
        if (count is < 1 or > Oprf.MaxBatch)
        {
            ProtocolThrow.ArgumentOutOfRange(nameof(count), count, $"1..{Oprf.MaxBatch}");
        }

        byte[] inputs = new byte[count * TokenInputSize];
        RandomNumberGenerator.Fill(inputs);
        byte[] elements = new byte[count * Oprf.ElementSize];
        var blinds = new OprfBlind[count];
        for (int i = 0; i < count; i++)
        {
            blinds[i] = Oprf.Blind(OprfMode.Voprf, inputs.AsSpan(i * TokenInputSize, TokenInputSize));
            blinds[i].BlindedElement.CopyTo(elements.AsSpan(i * Oprf.ElementSize));
        }

        return new VoprfBlinding(count, inputs, elements, blinds);
    }

    public bool TryFinalize(TokenBlinding blinding, ReadOnlySpan<byte> answer, Span<byte> authenticators)
    {
        if (blinding is not VoprfBlinding b)
        {
            ProtocolThrow.Argument(nameof(blinding), "The blinding was not made by a VOPRF token key.");
            return false;
        }

        if (authenticators.Length != b.Count * Oprf.OutputSize)
        {
            ProtocolThrow.ArgumentLength(nameof(authenticators), authenticators.Length, b.Count * Oprf.OutputSize);
        }

        int elements = b.Count * Oprf.ElementSize;
        if (answer.Length != elements + Oprf.ProofSize)
        {
            return false;
        }

        var inputs = new ReadOnlyMemory<byte>[b.Count];
        for (int i = 0; i < b.Count; i++)
        {
            inputs[i] = b.Inputs.Slice(i * TokenInputSize, TokenInputSize);
        }

        return Oprf.TryFinalizeBatch(OprfMode.Voprf, _publicKey, inputs, b.Blinds, answer[..elements], answer[elements..], authenticators);
    }

    private sealed class VoprfBlinding(int count, byte[] inputs, byte[] elements, OprfBlind[] blinds) : TokenBlinding(count, inputs, elements)
    {
        public OprfBlind[] Blinds { get; } = blinds;

        protected override void Dispose(bool disposing)
        {
            foreach (OprfBlind blind in Blinds)
            {
                blind.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
