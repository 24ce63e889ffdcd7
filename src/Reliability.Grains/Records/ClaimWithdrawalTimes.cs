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
/// serves, like <see cref="UrlKeyMigration"/>, until a pass has completed: that is recorded in
/// <c>claim_withdrawal_time_passes</c>, and later starts read that row instead of scanning every
/// claim document's JSON again (a million claims is a full scan per start). Claims written by this
/// version always carry the time. One withdrawn through a copy of the previous version after the
/// pass completed (a rolling upgrade) stays without it until a correction of the claim by this
/// version (which reads the stream itself) or until the pass runs again (delete the row and restart
/// one copy; <c>deploy/RUNBOOK.md</c>). Until then its claim counts as withdrawn at every moment (see
/// <see cref="Domain.Disputes.StandingAt.Asserts"/>), which is what every read showed before: a past
/// record never shows a claim standing that the record cannot say still stood then.
/// </summary>
public sealed partial class ClaimWithdrawalTimes(IDocumentStore store, ILogger<ClaimWithdrawalTimes> logger) : IHostedService
{
    /// <summary>Withdrawn claims whose withdrawal time is missing, read from the JSON.</summary>
    public const string Missing =
        "where data ->> 'CorrectionStatus' in ('retracted', 'reversed') and coalesce(data -> 'WithdrawnAt', 'null'::jsonb) = 'null'::jsonb";

    /// <summary>Which pass this is: a release that must look again for missing times raises it.</summary>
    public const int Pass = 1;

    private const long CreationLock = 0x57495448445257; // "WITHDRW"

    private const string PassesTable = "claim_withdrawal_time_passes";

    public Task StartAsync(CancellationToken cancellationToken) => FillInUnlessDoneAsync(cancellationToken);

    /// <summary>
    /// The start-up pass: nothing but one read of the completion row once a pass has completed;
    /// otherwise <see cref="FillInAsync"/>, recorded done when it completes. Returns how many it filled in.
    /// </summary>
    public async Task<int> FillInUnlessDoneAsync(CancellationToken cancellationToken = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        // Copies started together take turns creating the table; the lock ends with this transaction.
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await CompletedPasses.CreateAsync(connection, transaction, schema, PassesTable, CreationLock, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }

        if (await CompletedPasses.IsDoneAsync(connection, null, schema, PassesTable, Pass, cancellationToken))
        {
            return 0;
        }

        // Two copies starting together may both run it: the pass is idempotent, the row written once.
        // A pass that fails is not recorded, so the next start runs it again.
        var filled = await FillInAsync(cancellationToken);
        await CompletedPasses.RecordAsync(connection, null, schema, PassesTable, Pass, cancellationToken);
        LogDone(logger, Pass);
        return filled;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Fills in every missing withdrawal time the streams know, scanning the claim documents whether or
    /// not a pass completed before; returns how many it filled in.
    /// </summary>
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

    [LoggerMessage(LogLevel.Information, "Claim withdrawal times: pass {Pass} completed; later starts do not look for missing times again")]
    private static partial void LogDone(ILogger logger, int pass);
}
