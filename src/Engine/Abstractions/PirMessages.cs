namespace Privomega.Pir.Engine;

/// <summary>
/// What a client sends to one server. Every encoding starts with <see cref="PirWire.Version"/>
/// and the <see cref="PirSchemeKind"/> byte; decoding is scheme-specific because it needs the
/// parameters the bytes are checked against.
/// </summary>
public abstract class PirQuery
{
    /// <summary>The scheme this query belongs to.</summary>
    public abstract PirSchemeKind Scheme { get; }

    /// <summary>Exact number of bytes <see cref="Encode(Span{byte})"/> writes.</summary>
    public abstract int EncodedLength { get; }

    /// <summary>Writes the versioned encoding; <paramref name="destination"/> must be at least <see cref="EncodedLength"/> bytes.</summary>
    public abstract void Encode(Span<byte> destination);

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }
}

/// <summary>What one server returns for one <see cref="PirQuery"/>. Encoded like a query.</summary>
public abstract class PirAnswer
{
    /// <summary>The scheme this answer belongs to.</summary>
    public abstract PirSchemeKind Scheme { get; }

    /// <summary>Exact number of bytes <see cref="Encode(Span{byte})"/> writes.</summary>
    public abstract int EncodedLength { get; }

    /// <summary>Writes the versioned encoding; <paramref name="destination"/> must be at least <see cref="EncodedLength"/> bytes.</summary>
    public abstract void Encode(Span<byte> destination);

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }
}

/// <summary>
/// Public material a client makes from its secret so a server can compute on its queries (lattice
/// PIR: Galois keys for oblivious query expansion). It reveals nothing about the records the client
/// reads, but every query answered with one key is linkable to the others, so a host keeps it for
/// one key period under an id that rotates with that period. Encoded like a query.
/// </summary>
public abstract class PirEvaluationKey
{
    /// <summary>The scheme this key belongs to.</summary>
    public abstract PirSchemeKind Scheme { get; }

    /// <summary>Exact number of bytes <see cref="Encode(Span{byte})"/> writes.</summary>
    public abstract int EncodedLength { get; }

    /// <summary>Writes the versioned encoding; <paramref name="destination"/> must be at least <see cref="EncodedLength"/> bytes.</summary>
    public abstract void Encode(Span<byte> destination);

    /// <summary>Allocating convenience overload of <see cref="Encode(Span{byte})"/>.</summary>
    public byte[] Encode()
    {
        var bytes = new byte[EncodedLength];
        Encode(bytes);
        return bytes;
    }
}
