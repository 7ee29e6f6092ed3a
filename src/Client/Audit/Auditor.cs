using Privomega.Protocol.Api;
using Privomega.Protocol.Formats;
using Privomega.Protocol.Merkle;
using Privomega.Protocol.Primitives;

namespace Privomega.Client.Audit;

/// <summary>One audit check: what was checked, how many items, and every failure found.</summary>
/// <param name="Name">What the check is.</param>
/// <param name="Checked">How many items it covered.</param>
/// <param name="Failures">One line per failed item (empty when it held).</param>
/// <param name="Note">What it could not cover, if anything.</param>
public sealed record AuditCheck(string Name, int Checked, IReadOnlyList<string> Failures, string? Note = null)
{
    /// <summary>True when nothing failed.</summary>
    public bool Passed => Failures.Count == 0;
}

/// <summary>The audit's result.</summary>
/// <param name="Checks">Every check, in order.</param>
/// <param name="FirstEpoch">The first epoch the ledger covers (null when it holds no head).</param>
/// <param name="LastEpoch">The last.</param>
public sealed record AuditReport(IReadOnlyList<AuditCheck> Checks, ulong? FirstEpoch, ulong? LastEpoch)
{
    /// <summary>True when every check held.</summary>
    public bool Passed => Checks.All(c => c.Passed);
}

/// <summary>
/// Re-checks, offline, everything a client stored (DESIGN "Key transparency"): every head signed by
/// the server; the primary's heads form one hash chain; the key-transparency log only grew (the
/// consistency proofs between consecutive heads verify); the client's certificate was in
/// <c>keydir_t</c> in every epoch it was valid, with a path that verifies against the signed root;
/// the replica served the same head as the primary for every epoch both were asked; and no
/// equivocation evidence was found (or, if it was, that it holds).
/// </summary>
public static class Auditor
{
    /// <summary>
    /// Whether a certificate must be in <c>keydir_t</c> of <paramref name="head"/>: issued before the
    /// epoch began and not yet expired, each with one second of slack for the server's clock and
    /// Unix-second rounding.
    /// </summary>
    public static bool MustBeListed(Certificate certificate, EpochHead head, TimeSpan validity)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        ArgumentNullException.ThrowIfNull(head);
        var headSeconds = head.TimeMilliseconds / 1000;
        var expires = certificate.IssuedAt + (ulong)validity.TotalSeconds;
        return certificate.IssuedAt + 1 <= headSeconds && headSeconds + 1 < expires;
    }

    /// <summary>Audits <paramref name="ledger"/>.</summary>
    public static AuditReport Run(ClientLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        var checks = new List<AuditCheck>();
        if (!Ed25519PublicKey.TryImport(ledger.ServerKey, out var server))
        {
            checks.Add(new AuditCheck("server key", 0, ["The ledger holds no valid server key; nothing can be checked."]));
            return new AuditReport(checks, null, null);
        }

        var decoded = new List<(ServerRole Role, EpochHead Head)>();
        var malformed = new List<string>();
        foreach (var stored in ledger.Heads)
        {
            if (EpochHead.TryDecode(stored.Encoded, out var head, out var error))
            {
                decoded.Add((stored.Role, head));
            }
            else
            {
                malformed.Add($"a stored head does not decode: {error}");
            }
        }

        var badSignatures = decoded.Where(d => !d.Head.VerifySignature(server)).Select(d => $"{d.Role} head of epoch {d.Head.Epoch} is not signed by the server key").ToList();
        checks.Add(new AuditCheck("heads signed by the server", decoded.Count, [.. malformed, .. badSignatures]));
        var signed = decoded.Where(d => d.Head.VerifySignature(server)).ToList();

        // One head per epoch per server, or the server equivocated.
        var primary = new SortedDictionary<ulong, EpochHead>();
        var equivocations = new List<string>();
        foreach (var (role, head) in signed)
        {
            if (role != ServerRole.Primary)
            {
                continue;
            }

            if (primary.TryGetValue(head.Epoch, out var known))
            {
                if (!known.SameBody(head))
                {
                    equivocations.Add($"the primary signed two different heads for epoch {head.Epoch}");
                }
            }
            else
            {
                primary.Add(head.Epoch, head);
            }
        }

        checks.Add(HeadChain(primary, server));
        checks.Add(LogConsistency(primary, ledger.Consistency));
        checks.Add(OwnInclusion(primary, ledger));
        checks.Add(ServersAgree(primary, signed, equivocations));
        checks.Add(MailHeadChain(ledger, server, primary));
        checks.Add(Evidence(ledger, server));
        return new AuditReport(checks, primary.Count == 0 ? null : primary.Keys.First(), primary.Count == 0 ? null : primary.Keys.Last());
    }

    private static AuditCheck HeadChain(SortedDictionary<ulong, EpochHead> primary, Ed25519PublicKey server)
    {
        var failures = new List<string>();
        var links = 0;
        var gaps = 0;
        EpochHead? previous = null;
        foreach (var head in primary.Values)
        {
            if (previous is not null)
            {
                if (head.Epoch != previous.Epoch + 1)
                {
                    gaps++;
                }
                else
                {
                    links++;
                    var status = EpochHead.CheckLink(previous, head);
                    if (status != EpochLinkStatus.Valid)
                    {
                        failures.Add($"head {head.Epoch} does not extend head {previous.Epoch}: {status}");
                    }
                }
            }

            previous = head;
        }

        _ = server;
        return new AuditCheck("epoch-head hash chain", links, failures, gaps == 0 ? null : $"{gaps} gap(s) in the stored epochs (client offline) are not linked");
    }

    private static AuditCheck LogConsistency(SortedDictionary<ulong, EpochHead> primary, List<StoredConsistency> proofs)
    {
        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var (from, to) in primary.Keys.Zip(primary.Keys.Skip(1)).Where(p => p.Second == p.First + 1))
        {
            var proof = proofs.FirstOrDefault(p => p.FromEpoch == from && p.ToEpoch == to);
            if (proof is null)
            {
                failures.Add($"no consistency proof stored between heads {from} and {to}");
                continue;
            }

            checkedCount++;
            var a = primary[from];
            var b = primary[to];
            if (!MerkleVerifier.VerifyConsistency(a.LogSize, b.LogSize, proof.Proof, a.LogRoot, b.LogRoot))
            {
                failures.Add($"the log of head {to} (size {b.LogSize}) does not extend the log of head {from} (size {a.LogSize})");
            }
        }

        return new AuditCheck("key-transparency log append-only", checkedCount, failures);
    }

    private static AuditCheck OwnInclusion(SortedDictionary<ulong, EpochHead> primary, ClientLedger ledger)
    {
        var certificates = new List<(Certificate Certificate, TimeSpan Validity)>();
        foreach (var stored in ledger.Certificates)
        {
            if (Certificate.TryDecode(stored.Encoded, out var certificate, out _))
            {
                certificates.Add((certificate, TimeSpan.FromSeconds(stored.ValidSeconds)));
            }
        }

        var failures = new List<string>();
        var checkedCount = 0;
        foreach (var head in primary.Values)
        {
            // The certificate the client held in this epoch: the newest issued before the epoch began.
            var held = certificates.Where(c => c.Certificate.IssuedAt * 1000 <= head.TimeMilliseconds).OrderBy(c => c.Certificate.IssuedAt).LastOrDefault();
            if (held.Certificate is null || !MustBeListed(held.Certificate, head, held.Validity))
            {
                continue;
            }

            checkedCount++;
            var memberships = ledger.Memberships.Where(m => m.Epoch == head.Epoch).ToList();
            if (!memberships.Any(m => IsIncluded(held.Certificate, m, head)))
            {
                failures.Add(memberships.Count == 0
                    ? $"no proof of the client's inclusion stored for epoch {head.Epoch}, where its certificate was valid"
                    : $"the stored inclusion proof for epoch {head.Epoch} does not verify against the signed directory root");
            }
        }

        var note = certificates.Count == 0 ? "no certificate stored" : null;
        return new AuditCheck("own certificate in keydir every valid epoch", checkedCount, failures, note);
    }

    private static AuditCheck ServersAgree(SortedDictionary<ulong, EpochHead> primary, List<(ServerRole Role, EpochHead Head)> signed, List<string> equivocations)
    {
        var failures = new List<string>(equivocations);
        var compared = 0;
        foreach (var (_, head) in signed.Where(s => s.Role == ServerRole.Replica))
        {
            if (!primary.TryGetValue(head.Epoch, out var mine))
            {
                continue;
            }

            compared++;
            if (!mine.SameBody(head))
            {
                failures.Add($"the replica's head for epoch {head.Epoch} differs from the primary's");
            }
        }

        var missing = primary.Keys.Count(e => !signed.Any(s => s.Role == ServerRole.Replica && s.Head.Epoch == e));
        return new AuditCheck("primary and replica heads equal", compared, failures, missing == 0 ? null : $"{missing} epoch(s) without a replica head (lagging or no replica)");
    }

    private static AuditCheck MailHeadChain(ClientLedger ledger, Ed25519PublicKey server, SortedDictionary<ulong, EpochHead> primary)
    {
        var failures = new List<string>();
        var heads = new SortedDictionary<ulong, MailHead>();
        foreach (var encoded in ledger.MailHeads)
        {
            if (!MailHead.TryDecode(encoded, out var head, out var error))
            {
                failures.Add($"a stored mail head does not decode: {error}");
                continue;
            }

            if (!head.VerifySignature(server))
            {
                failures.Add($"mail head {head.MailEpoch} is not signed by the server key");
                continue;
            }

            if (heads.TryGetValue(head.MailEpoch, out var known))
            {
                if (!known.SameBody(head))
                {
                    failures.Add($"the server signed two different mail heads for mail epoch {head.MailEpoch}");
                }

                continue;
            }

            heads.Add(head.MailEpoch, head);
        }

        var epochHashes = primary.Values.Select(h => Convert.ToHexString(h.Hash())).ToHashSet(StringComparer.Ordinal);
        var links = 0;
        var unanchored = 0;
        MailHead? previous = null;
        foreach (var head in heads.Values)
        {
            if (previous is not null && head.MailEpoch == previous.MailEpoch + 1)
            {
                links++;
                if (!head.PreviousHash.SequenceEqual(previous.Hash()))
                {
                    failures.Add($"mail head {head.MailEpoch} does not commit to mail head {previous.MailEpoch}");
                }
            }

            if (!epochHashes.Contains(Convert.ToHexString(head.EpochHeadHash)))
            {
                unanchored++;
            }

            previous = head;
        }

        var note = unanchored == 0 ? null : $"{unanchored} mail head(s) name an epoch head the client did not store";
        return new AuditCheck("mail-head hash chain", heads.Count, failures, note);
    }

    private static AuditCheck Evidence(ClientLedger ledger, Ed25519PublicKey server)
    {
        if (ledger.Evidence is null)
        {
            return new AuditCheck("no equivocation evidence", 1, []);
        }

        if (!EquivocationEvidence.TryDecode(ledger.Evidence, out var evidence, out var error))
        {
            return new AuditCheck("no equivocation evidence", 1, [$"stored evidence does not decode: {error}"]);
        }

        return new AuditCheck(
            "no equivocation evidence",
            1,
            [evidence.Verify(server)
                ? $"the server equivocated in epoch {evidence.Epoch}: two signed heads with different bodies (evidence verifies)"
                : "stored evidence does not verify (it proves nothing)"]);
    }

    private static bool IsIncluded(Certificate certificate, StoredMembership membership, EpochHead head)
    {
        Span<byte> leaf = stackalloc byte[MerkleHash.Size];
        MerkleHash.HashLeaf(certificate.Encoded, leaf);
        return MerkleVerifier.VerifyInclusion(leaf, membership.LeafIndex, head.DirectorySize, membership.Path, head.DirectoryRoot);
    }
}
