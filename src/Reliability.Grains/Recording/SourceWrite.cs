using Reliability.Contracts.Ledger;
using Reliability.Contracts.Sources;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;

namespace Reliability.Grains.Recording;

/// <summary>Finding a source by id or handle, and registering new ones.</summary>
internal static class SourceWrite
{
    public static async Task<(LedgerOutcome<string> Outcome, Touched Touched)> RegisterAsync(
        Marten.IDocumentSession session, string? requestedId, string name, string kind, bool interestedParty, IReadOnlyList<HandleView> handles,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        var transaction = new RecordTransaction(session, now, cancellationToken);
        if (!Vocabulary.TrySourceKind(kind, out var sourceKind))
        {
            return (LedgerOutcome<string>.Invalid(new Dictionary<string, string[]>
            {
                ["kind"] = [$"Unknown source kind '{kind}'; use one of: {string.Join(", ", Enum.GetValues<SourceKind>().Select(Vocabulary.Word))}."],
            }), Touched.None);
        }

        var keys = handles.Select(h => StreamKeys.HandleKey(h.Platform, h.Handle)).ToList();
        var known = await session.LoadManyAsync<HandleDocument>(cancellationToken, [.. keys]);
        if (known.Count > 0)
        {
            return (LedgerOutcome<string>.Ok(known[0].SourceId), Touched.None);
        }

        var id = requestedId ?? (keys.Count > 0 ? StreamKeys.SourceIdFor(keys[0]) : "s-" + Guid.NewGuid().ToString("N")[..12]);
        var existing = await transaction.SourceAsync(id);
        if (existing is not null)
        {
            return (LedgerOutcome<string>.Ok(existing.Id), Touched.None);
        }

        Register(transaction, id, name, sourceKind, interestedParty, handles, now);
        transaction.Flush();
        return (LedgerOutcome<string>.Ok(id), transaction.Touched);
    }

    // registeredAt is no later than the source's first claim, so a score as of any time that
    // counts the claim also knows the source.
    public static SourceDocument Register(
        RecordTransaction transaction, string id, string name, SourceKind kind, bool interestedParty,
        IReadOnlyList<HandleView> handles, DateTimeOffset registeredAt)
    {
        var normalised = handles
            .Select(h => new HandleView(h.Platform.Trim().ToLowerInvariant() is "twitter" ? "x" : h.Platform.Trim().ToLowerInvariant(), h.Handle.Trim().TrimStart('@')))
            .DistinctBy(h => StreamKeys.HandleKey(h.Platform, h.Handle))
            .ToList();
        var source = new SourceDocument
        {
            Id = id,
            Name = name,
            Kind = kind,
            InterestedParty = interestedParty,
            Handles = normalised,
            RegisteredAt = registeredAt,
            SearchText = string.Join(' ', [name, .. normalised.Select(h => h.Handle)]).ToLowerInvariant(),
        };
        transaction.StartSource(source, new SourceRegistered(
            new Source(id, name, kind, interestedParty, [.. normalised.Select(h => new SourceHandle(h.Platform, h.Handle))]),
            registeredAt));
        foreach (var handle in normalised)
        {
            transaction.AddHandle(new HandleDocument { Id = StreamKeys.HandleKey(handle.Platform, handle.Handle), SourceId = id });
        }

        return source;
    }
}
