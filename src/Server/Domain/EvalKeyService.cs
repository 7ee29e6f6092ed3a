using System.Security.Cryptography;
using Privomega.Pir.Engine;
using Privomega.Pir.Engine.Lattice;
using Privomega.Protocol.Api;
using Privomega.Server.Pir;
using Privomega.Server.Storage;

namespace Privomega.Server.Domain;

/// <summary>
/// Lattice evaluation keys (DESIGN "Evaluation keys"), one key period = one epoch: a key is stored under
/// <c>(period, key_id, db)</c> with <c>key_id</c> derived from a secret only the uploader holds, so nobody else
/// can name or replace it, and a fresh secret per period makes the id rotate. Keys are checked against the
/// lattice parameters the planner gives for the database's current snapshot before anything is stored.
/// </summary>
public sealed class EvalKeyService(IServerStore store, ServerClock clock, PirCatalog catalog, EvalKeyCache? cache = null)
{
    /// <summary>Stores an upload; returns the receipt with the key id.</summary>
    public async Task<EvalKeyReceipt> UploadAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        if (!EvalKeyUpload.TryDecode(body.Span, out var upload, out var error))
        {
            throw ServerProblemException.Decode(error);
        }

        var secret = upload.BindingSecret.ToArray();
        try
        {
            var period = clock.CurrentEpoch;
            if (upload.Period != period)
            {
                throw ServerProblemException.WrongEpoch("period", upload.Period, period);
            }

            using (var lease = catalog.Latest(upload.Database) ?? throw ServerProblemException.Unavailable("no snapshot of that database yet"))
            {
                var parameters = LatticePirPlanner.Plan(lease.Answerer.RecordCount, lease.Answerer.RecordBytes);
                if (!LatticeGaloisKeys.TryDecode(upload.Keys.Span, parameters, out _, out var keyError))
                {
                    throw ServerProblemException.Decode(keyError);
                }
            }

            var keyId = EvalKeyUpload.KeyId(period, secret);
            await store.PutEvalKeyAsync(period, keyId, (byte)upload.Database, upload.Keys.ToArray(), cancellationToken).ConfigureAwait(false);
            cache?.Invalidate(period, keyId);
            return new EvalKeyReceipt(period, keyId);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            if (System.Runtime.InteropServices.MemoryMarshal.TryGetArray(upload.BindingSecret, out var segment) && segment.Array is not null)
            {
                CryptographicOperations.ZeroMemory(segment.Array);
            }
        }
    }
}
