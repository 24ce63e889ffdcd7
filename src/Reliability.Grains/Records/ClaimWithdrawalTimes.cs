using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Reliability.Domain.Events;

namespace Reliability.Grains.Records;

/// <summary>
/// Fills in <see cref="ClaimDocument.WithdrawnAt"/> for claims withdrawn before the documents kept
/// it, from the corrections in their propositions' streams: the events are the record, the document
/// only a view of it, so the time is read back rather than guessed. Runs at start-up, before the node
/// serves, like <see cref="UrlKeyMigration"/>. Idempotent without a table of its own: a document
/// with its time is never read again, and one left without (a failure, a correction written
/// meanwhile by a node of the previous version) is filled in at the next start. The scan that finds
/// them reads the claim documents' JSON once per start; the streams are read only when it finds some.
/// Until a document is filled in, its claim counts as withdrawn at every moment (see
/// <see cref="Domain.Disputes.StandingAt.Asserts"/>), which is what every read showed before.
/// </summary>
public sealed partial class ClaimWithdrawalTimes(IDocumentStore store, ILogger<ClaimWithdrawalTimes> logger) : IHostedService
{
    /// <summary>Withdrawn claims whose withdrawal time is missing, read from the JSON.</summary>
    public const string Missing =
        "where data ->> 'CorrectionStatus' in ('retracted', 'reversed') and coalesce(data -> 'WithdrawnAt', 'null'::jsonb) = 'null'::jsonb";

    public Task StartAsync(CancellationToken cancellationToken) => FillInAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Fills in every missing withdrawal time the streams know; returns how many it filled in.</summary>
    public async Task<int> FillInAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ClaimDocument> missing;
        await using (var session = store.QuerySession())
        {
            missing = await session.QueryAsync<ClaimDocument>(Missing, cancellationToken);
        }

        if (missing.Count == 0)
        {
            return 0;
        }

        var found = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        await using (var session = store.QuerySession())
        {
            foreach (var onProposition in missing.GroupBy(c => c.PropositionId, StringComparer.Ordinal))
            {
                var times = await FromStreamAsync(session, onProposition.Key, cancellationToken);
                foreach (var claim in onProposition)
                {
                    if (times.TryGetValue(claim.Id, out var at))
                    {
                        found[claim.Id] = at;
                    }
                }
            }
        }

        var filled = found.Count == 0 ? 0 : await StoreAsync(found, cancellationToken);
        LogFilled(logger, filled, missing.Count);
        return filled;
    }

    /// <summary>
    /// The withdrawal time of each claim on a proposition that was retracted or reversed: the earliest
    /// such correction's time, read from the proposition's stream, where every correction of a claim
    /// on it is appended.
    /// </summary>
    internal static async Task<IReadOnlyDictionary<string, DateTimeOffset>> FromStreamAsync(
        IQuerySession session, string propositionId, CancellationToken cancellationToken)
    {
        var times = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var stored in await session.Events.FetchStreamAsync(StreamKeys.Proposition(propositionId), token: cancellationToken))
        {
            if (stored.Data is CorrectionRecorded { Correction: { EndsAssertion: true } correction }
                && (!times.TryGetValue(correction.ClaimId, out var earlier) || correction.At < earlier))
            {
                times[correction.ClaimId] = correction.At;
            }
        }

        return times;
    }

    // Only the one field, and only where it is still missing: whatever else a writer stored
    // meanwhile stays, and a time a correction's writer put there first is not replaced.
    private async Task<int> StoreAsync(IReadOnlyDictionary<string, DateTimeOffset> found, CancellationToken cancellationToken)
    {
        var serializer = store.Options.Serializer();
        var table = store.Options.Schema.For<ClaimDocument>();
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var update = new NpgsqlCommand($"""
            update {table} d set data = jsonb_set(d.data, $3::text[], r.at::jsonb, true)
            from unnest($1::text[], $2::text[]) as r(id, at)
            where d.id = r.id and coalesce(d.data -> '{nameof(ClaimDocument.WithdrawnAt)}', 'null'::jsonb) = 'null'::jsonb
            """, connection);
        update.Parameters.Add(new NpgsqlParameter { Value = found.Keys.ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = found.Values.Select(at => serializer.ToJson(at)).ToArray() });
        update.Parameters.Add(new NpgsqlParameter { Value = new[] { nameof(ClaimDocument.WithdrawnAt) } });
        return await update.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Filled in the withdrawal time of {Filled} of {Missing} withdrawn claims stored without it")]
    private static partial void LogFilled(ILogger logger, int filled, int missing);
}
