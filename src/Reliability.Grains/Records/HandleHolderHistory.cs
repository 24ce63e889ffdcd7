using Marten;
using Marten.Events;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Reliability.Domain.Events;

namespace Reliability.Grains.Records;

/// <summary>
/// Fills in <see cref="HandleHolders"/> for handles given, taken and merged before the table was
/// kept, from the sources' events and the recording times the store stamped them with: the events
/// are the record, so the history is read back from them rather than guessed from the documents,
/// which say only who holds a handle now. Runs at start-up, before the node serves, like
/// <see cref="ClaimWithdrawalTimes"/>, until a pass has completed: that is recorded in
/// <c>handle_holder_passes</c>, and later starts read that row instead of the events again. Copies
/// starting together take turns under a transaction's advisory lock, so the second finds the pass
/// done. The pass only adds holdings missing and ends open ones the events say ended: what a
/// writer of this version stored stays as it is. A handle changed through
/// a copy of the previous version after the pass completed (a rolling upgrade) has no row for that
/// change until the pass runs again (delete the row and restart one copy; <c>deploy/RUNBOOK.md</c>);
/// until then a lookup known at a moment falls back to the handle's present holder for it, which is
/// what every such lookup did before.
/// </summary>
public sealed partial class HandleHolderHistory(IDocumentStore store, ILogger<HandleHolderHistory> logger) : IHostedService
{
    /// <summary>Which pass this is: a release that must read the events again raises it.</summary>
    public const int Pass = 1;

    private const long PassLock = 0x48414E444C4553; // "HANDLES"

    private const string PassesTable = "handle_holder_passes";

    public Task StartAsync(CancellationToken cancellationToken) => FillInUnlessDoneAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// The start-up pass: nothing but one read of the completion row once a pass has completed;
    /// otherwise <see cref="HoldingsFromEventsAsync"/> stored, and the pass recorded done, in one
    /// transaction. Returns how many holdings it added or ended.
    /// </summary>
    public async Task<int> FillInUnlessDoneAsync(CancellationToken cancellationToken = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await CompletedPasses.CreateAsync(connection, transaction, schema, PassesTable, PassLock, cancellationToken);
        if (await CompletedPasses.IsDoneAsync(connection, transaction, schema, PassesTable, Pass, cancellationToken))
        {
            return 0;
        }

        // A pass that fails is not recorded (nor is anything it stored), so the next start runs it again.
        var holdings = await HoldingsFromEventsAsync(cancellationToken);
        var stored = await StoreAsync(connection, transaction, holdings, cancellationToken);
        await CompletedPasses.RecordAsync(connection, transaction, schema, PassesTable, Pass, cancellationToken);

        await transaction.CommitAsync(cancellationToken);
        LogDone(logger, Pass, stored, holdings.Count);
        return stored;
    }

    /// <summary>
    /// Every holding of every handle, worked out from the events that give, take and merge handles,
    /// in the order the store sequenced them, each at the time the store recorded it.
    /// </summary>
    internal async Task<IReadOnlyList<PastHolding>> HoldingsFromEventsAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<JasperFx.Events.IEvent> events;
        await using (var session = store.QuerySession())
        {
            events = await session.Events.QueryAllRawEvents()
                .Where(e => e.EventTypesAre(typeof(SourceRegistered), typeof(SourceHandleAdded), typeof(SourceHandleRemoved), typeof(SourceMerged)))
                .OrderBy(e => e.Sequence)
                .ToListAsync(cancellationToken);
        }

        var holdings = new List<PastHolding>();
        var open = new Dictionary<string, int>(StringComparer.Ordinal);
        void Take(string key, string sourceId, DateTimeOffset at)
        {
            if (open.TryGetValue(key, out var i) && holdings[i].SourceId == sourceId)
            {
                holdings[i] = holdings[i] with { Until = at };
                open.Remove(key);
            }
        }

        void Give(string key, string sourceId, DateTimeOffset at)
        {
            if (open.TryGetValue(key, out var i))
            {
                if (holdings[i].SourceId == sourceId)
                {
                    return;
                }

                Take(key, holdings[i].SourceId, at);
            }

            open[key] = holdings.Count;
            holdings.Add(new PastHolding(key, sourceId, at, null));
        }

        foreach (var e in events)
        {
            switch (e.Data)
            {
                case SourceRegistered registered:
                    foreach (var handle in registered.Source.Handles)
                    {
                        Give(StreamKeys.HandleKey(handle.Platform, handle.Handle), registered.Source.Id, e.Timestamp);
                    }

                    break;
                case SourceHandleAdded added:
                    Give(StreamKeys.HandleKey(added.Handle.Platform, added.Handle.Handle), added.SourceId, e.Timestamp);
                    break;
                case SourceHandleRemoved removed:
                    Take(StreamKeys.HandleKey(removed.Handle.Platform, removed.Handle.Handle), removed.SourceId, e.Timestamp);
                    break;
                case SourceMerged merged:
                    // The merge hands every handle the absorbed source held to the survivor.
                    foreach (var key in open.Where(o => holdings[o.Value].SourceId == merged.SourceId).Select(o => o.Key).ToList())
                    {
                        Give(key, merged.MergedInto, e.Timestamp);
                    }

                    break;
            }
        }

        return holdings;
    }

    // Added where no stored holding of the same handle and source overlaps it, and an open stored
    // holding the events say ended is ended there; nothing else stored is changed. A holding written
    // with the record starts at its transaction's time, which for a new source's registration is a
    // moment apart from the stamp of its first event (see HandleHolders): overlapping, they are one.
    private async Task<int> StoreAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<PastHolding> holdings, CancellationToken cancellationToken)
    {
        if (holdings.Count == 0)
        {
            return 0;
        }

        var table = HandleHolders.QualifiedName(store);
        // One statement: both parts read the table as it was before it.
        await using var fill = new NpgsqlCommand($"""
            with past as (
                select * from unnest($1::text[], $2::timestamptz[], $3::text[], $4::timestamptz[]) as r(handle_key, held_from, source_id, held_until)
            ), added as (
                insert into {table} (handle_key, held_from, source_id, held_until)
                select r.handle_key, r.held_from, r.source_id, r.held_until from past r
                where not exists (
                    select 1 from {table} h
                    where h.handle_key = r.handle_key and h.source_id = r.source_id
                      and h.held_from < coalesce(r.held_until, 'infinity') and coalesce(h.held_until, 'infinity') > r.held_from)
                on conflict do nothing
                returning 1
            ), ended as (
                update {table} h set held_until = r.held_until from past r
                where h.handle_key = r.handle_key and h.source_id = r.source_id and h.held_until is null
                  and r.held_until is not null and h.held_from < r.held_until
                returning 1
            )
            select (select count(*) from added) + (select count(*) from ended)
            """, connection, transaction);
        fill.Parameters.Add(new NpgsqlParameter { Value = holdings.Select(h => h.HandleKey).ToArray() });
        fill.Parameters.Add(new NpgsqlParameter { Value = holdings.Select(h => h.From.ToUniversalTime()).ToArray() });
        fill.Parameters.Add(new NpgsqlParameter { Value = holdings.Select(h => h.SourceId).ToArray() });
        fill.Parameters.Add(new NpgsqlParameter
        {
            Value = holdings.Select(h => h.Until?.ToUniversalTime()).ToArray(),
            NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.TimestampTz,
        });
        return (int)(long)(await fill.ExecuteScalarAsync(cancellationToken))!;
    }

    [LoggerMessage(LogLevel.Information, "Handle holders: pass {Pass} completed, {Stored} of {Holdings} holdings read from the events added or ended; later starts do not read them again")]
    private static partial void LogDone(ILogger logger, int pass, int stored, int holdings);
}

/// <summary>A source's holding of a handle key, from and until the recording times of the events that gave and took it.</summary>
internal sealed record PastHolding(string HandleKey, string SourceId, DateTimeOffset From, DateTimeOffset? Until);
