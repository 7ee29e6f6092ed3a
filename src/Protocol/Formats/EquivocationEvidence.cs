using System.Diagnostics.CodeAnalysis;
using Privomega.Protocol.Primitives;

namespace Privomega.Protocol.Formats;

/// <summary>
/// Proof that the server equivocated: two heads for the same epoch, both validly signed, that
/// differ. Anyone with the server's public key can check it; the sketch's answer is to stop using
/// the service and publish this. Encoding: <c>version(1) ‖ head_a(265) ‖ head_b(265)</c>, the
/// two heads in byte order so the same pair always encodes the same way.
/// </summary>
public sealed class EquivocationEvidence
{
    /// <summary>The version byte this build writes and reads.</summary>
    public const byte CurrentVersion = 1;

    /// <summary>Encoded size in bytes.</summary>
    public const int Size = 1 + (2 * EpochHead.Size);

    private EquivocationEvidence(EpochHead first, EpochHead second)
    {
        First = first;
        Second = second;
    }

    /// <summary>The head whose encoding sorts first.</summary>
    public EpochHead First { get; }

    /// <summary>The other head.</summary>
    public EpochHead Second { get; }

    /// <summary>The epoch both heads claim.</summary>
    public ulong Epoch => First.Epoch;

    /// <summary>
    /// Builds evidence from two heads when they prove equivocation: same epoch, different bytes,
    /// both signed by <paramref name="server"/>. False otherwise (the same head twice is not evidence).
    /// </summary>
    public static bool TryCreate(Ed25519PublicKey server, EpochHead a, EpochHead b, [NotNullWhen(true)] out EquivocationEvidence? evidence)
    {
        ArgumentNullException.ThrowIfNull(server);
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        evidence = null;
        var order = a.Encode().AsSpan().SequenceCompareTo(b.Encode());
        if (a.Epoch != b.Epoch || order == 0 || !a.VerifySignature(server) || !b.VerifySignature(server))
        {
            return false;
        }

        evidence = order < 0 ? new EquivocationEvidence(a, b) : new EquivocationEvidence(b, a);
        return true;
    }

    /// <summary>Decodes evidence; throws <see cref="ProtocolFormatException"/> on malformed bytes.</summary>
    public static EquivocationEvidence Decode(ReadOnlySpan<byte> encoded)
    {
        if (!TryDecode(encoded, out var evidence, out var error))
        {
            throw new ProtocolFormatException(error);
        }

        return evidence;
    }

    /// <summary>Decodes evidence (structure only; call <see cref="Verify"/> to check it proves anything).</summary>
    public static bool TryDecode(ReadOnlySpan<byte> encoded, [NotNullWhen(true)] out EquivocationEvidence? evidence, out ProtocolDecodeError error)
    {
        evidence = null;
        var reader = new WireReader(encoded, "equivocation_evidence");
        reader.ReadVersion(CurrentVersion);
        var first = reader.ReadBytes(EpochHead.Size, "head_a");
        var second = reader.ReadBytes(EpochHead.Size, "head_b");
        if (!reader.Finish(out error))
        {
            return false;
        }

        if (!EpochHead.TryDecode(first, out var a, out error) || !EpochHead.TryDecode(second, out var b, out error))
        {
            return false;
        }

        evidence = new EquivocationEvidence(a, b);
        return true;
    }

    /// <summary>True when the evidence proves equivocation by <paramref name="server"/>.</summary>
    public bool Verify(Ed25519PublicKey server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return First.Epoch == Second.Epoch
            && First.Encode().AsSpan().SequenceCompareTo(Second.Encode()) < 0
            && First.VerifySignature(server)
            && Second.VerifySignature(server);
    }

    /// <summary>Returns the encoding.</summary>
    public byte[] Encode() => [CurrentVersion, .. First.Encode(), .. Second.Encode()];
}
