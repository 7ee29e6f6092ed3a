using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;

namespace Privomega.Pir.Cluster;

/// <summary>Decodes the whole database's queries of one scheme and shape, as bytes from the network.</summary>
internal sealed class PirQueryCodec(PirSchemeKind scheme, long recordCount, LatticePirParameters? lattice)
{
    public PirQuery Decode(byte[] bytes, int position)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        bool ok;
        PirQuery? query;
        PirDecodeError error;
        switch (scheme)
        {
            case PirSchemeKind.XorBitVector:
                ok = XorQuery.TryDecode(bytes, recordCount, out var xor, out error);
                query = xor;
                break;
            case PirSchemeKind.XorDpf:
                ok = DpfQuery.TryDecode(bytes, recordCount, out var dpf, out error);
                query = dpf;
                break;
            default:
                ok = LatticeQuery.TryDecode(bytes, lattice!, out var lq, out error);
                query = lq;
                break;
        }

        if (!ok)
        {
            throw new ArgumentException($"queries[{position}] does not decode as a {scheme} query: {error}", nameof(bytes));
        }

        return query!;
    }
}
