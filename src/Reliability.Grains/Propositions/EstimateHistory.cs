using System.Text.Json;
using Marten;
using Npgsql;
using NpgsqlTypes;
using Reliability.Contracts.Propositions;
using Reliability.Grains.Records;
using Weasel.Postgresql.Tables;

namespace Reliability.Grains.Propositions;

/// <summary>
/// The provisional truth estimate as it stood at each moment, by the tracker's clock: a row per open
/// proposition each time its estimate moved, stamped with the transaction's time as the events are,
/// and a row without options when it left the estimate (resolved, or no standing claim left). A read
/// known at a past moment (<c>knownAt</c>) takes the row in force then, so the score a desk was shown
/// when it published, provisional evidence and all, can be shown again.
/// </summary>
/// <remarks>
/// <para>
/// Written by the truth grain before it hands an estimate to any reader, so every estimate a reader
/// was served is on record by the moment it was served (a failed write fails the run, which is tried
/// again, and readers keep the estimate before it, marked pending). Only moves of at least
/// <see cref="Tolerance"/> in some option's probability, or a change of its options or claimants, are
/// written: the engine's own convergence leaves every estimate a little different after each run,
/// and a row per proposition per run would grow the table with the record's whole size every few
/// seconds under a stream of writes. The grain serves the estimate as recorded (a smaller move keeps
/// the probabilities last written), so what a read known at a moment finds is exactly what readers
/// were served then, and scores do not move with the engine's convergence noise.
/// </para>
/// <para>
/// A table of its own beside Marten's documents, managed by Marten's schema like
/// <see cref="HandleHolders"/>: rows are only ever added, and the read is by proposition and time.
/// </para>
/// </remarks>
public static class EstimateHistory
{
    public const string TableName = "estimate_history";

    /// <summary>The smallest move of an option's probability that is written as a new row.</summary>
    public const double Tolerance = 0.001;

    public static Table Definition(string schema)
    {
        var table = new Table($"{schema}.{TableName}");
        table.AddColumn<string>("proposition_id").AsPrimaryKey();
        table.AddColumn("recorded_at", "timestamp with time zone").AsPrimaryKey();
        // Two activations of the truth grain at once (a cluster healing a split) may both write in one
        // moment; their versions differ.
        table.AddColumn<long>("version").AsPrimaryKey();
        table.AddColumn("options", "jsonb").AllowNulls();
        return table;
    }

    public static string QualifiedName(IDocumentStore store) => $"{store.Options.DatabaseSchemaName}.{TableName}";

    /// <summary>
    /// What to write so that the history says <paramref name="current"/>, given what it says now
    /// (<paramref name="written"/>): the propositions whose estimate moved, and those that left it (null options).
    /// </summary>
    public static IReadOnlyList<EstimateChange> Changes(
        IReadOnlyDictionary<string, IReadOnlyList<OptionProbability>> written,
        IReadOnlyDictionary<string, IReadOnlyList<OptionProbability>> current)
    {
        var changes = new List<EstimateChange>();
        foreach (var (id, options) in current)
        {
            if (!written.TryGetValue(id, out var before) || !Same(before, options))
            {
                changes.Add(new EstimateChange(id, options));
            }
        }

        changes.AddRange(written.Keys.Where(id => !current.ContainsKey(id)).Select(id => new EstimateChange(id, null)));
        // One order whatever the dictionaries', so two runs over one estimate write alike.
        changes.Sort((a, b) => string.CompareOrdinal(a.PropositionId, b.PropositionId));
        return changes;
    }

    /// <summary>The same options with the same claimants, every probability within <see cref="Tolerance"/>.</summary>
    public static bool Same(IReadOnlyList<OptionProbability> before, IReadOnlyList<OptionProbability> now)
    {
        if (before.Count != now.Count)
        {
            return false;
        }

        foreach (var option in now)
        {
            var match = before.FirstOrDefault(b => string.Equals(b.Option, option.Option, StringComparison.Ordinal));
            if (match is null || match.Claimants != option.Claimants || !(Math.Abs(match.Probability - option.Probability) < Tolerance))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes these changes as of now, in one statement, with the estimate's version.</summary>
    public static async Task WriteAsync(IDocumentStore store, long version, IReadOnlyList<EstimateChange> changes, CancellationToken cancellationToken = default)
    {
        if (changes.Count == 0)
        {
            return;
        }

        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var write = new NpgsqlCommand(
            $"""
            insert into {QualifiedName(store)} (proposition_id, recorded_at, version, options)
            select c.id, {RecordingTime.Now}, $1, c.options::jsonb from unnest($2::text[], $3::text[]) as c(id, options)
            on conflict do nothing
            """, connection);
        write.Parameters.Add(new NpgsqlParameter { Value = version });
        write.Parameters.Add(new NpgsqlParameter { Value = changes.Select(c => c.PropositionId).ToArray() });
        write.Parameters.Add(new NpgsqlParameter
        {
            Value = changes.Select(c => c.Options is null ? null : JsonSerializer.Serialize(c.Options)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text,
        });
        await write.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>What the history says of every proposition it has an estimate of now (its latest rows).</summary>
    public static Task<Dictionary<string, IReadOnlyList<OptionProbability>>> LatestAsync(IDocumentStore store, CancellationToken cancellationToken = default) =>
        ReadAsync(store, null, null, cancellationToken);

    /// <summary>
    /// The estimate of each of these propositions that was in force at <paramref name="knownAt"/>: the
    /// latest row recorded by then. A proposition without one had no estimate then.
    /// </summary>
    public static async Task<IReadOnlyDictionary<string, IReadOnlyList<OptionProbability>>> KnownAtAsync(
        IDocumentStore store, IReadOnlyCollection<string> propositionIds, DateTimeOffset knownAt, CancellationToken cancellationToken = default) =>
        propositionIds.Count == 0
            ? new Dictionary<string, IReadOnlyList<OptionProbability>>(StringComparer.Ordinal)
            : await ReadAsync(store, propositionIds, knownAt, cancellationToken);

    private static async Task<Dictionary<string, IReadOnlyList<OptionProbability>>> ReadAsync(
        IDocumentStore store, IReadOnlyCollection<string>? propositionIds, DateTimeOffset? knownAt, CancellationToken cancellationToken)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        var which = propositionIds is null ? "true" : "proposition_id = any($1) and recorded_at <= $2";
        await using var read = new NpgsqlCommand(
            $"""
            select distinct on (proposition_id) proposition_id, options::text from {QualifiedName(store)}
            where {which}
            order by proposition_id, recorded_at desc, version desc
            """, connection);
        if (propositionIds is not null)
        {
            read.Parameters.Add(new NpgsqlParameter { Value = propositionIds.ToArray() });
            read.Parameters.Add(new NpgsqlParameter { Value = knownAt!.Value.ToUniversalTime() });
        }

        var estimates = new Dictionary<string, IReadOnlyList<OptionProbability>>(StringComparer.Ordinal);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            if (!reader.IsDBNull(1) && JsonSerializer.Deserialize<List<OptionProbability>>(reader.GetString(1)) is { } options)
            {
                estimates[reader.GetString(0)] = options;
            }
        }

        return estimates;
    }
}

/// <summary>A proposition's estimate to write: its options, or null when it has left the estimate.</summary>
public sealed record EstimateChange(string PropositionId, IReadOnlyList<OptionProbability>? Options);

/// <summary>
/// The truth grain's side of <see cref="EstimateHistory"/>: what the history says now, read once per
/// activation, so that each run writes only what moved.
/// </summary>
public sealed class EstimateLog(IDocumentStore store)
{
    private Dictionary<string, IReadOnlyList<OptionProbability>>? _written;

    /// <summary>Writes what moved since the last estimate written; throws when the store is unreachable, leaving nothing marked written.</summary>
    /// <returns>
    /// The estimate as the history now holds it, to serve: every proposition of <paramref name="estimates"/>,
    /// each with the options last written for it, which differ from the ones given by less than the tolerance.
    /// </returns>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<OptionProbability>>> RecordAsync(
        long version, IReadOnlyDictionary<string, IReadOnlyList<OptionProbability>> estimates, CancellationToken cancellationToken = default)
    {
        var written = _written ??= await EstimateHistory.LatestAsync(store, cancellationToken);
        var changes = EstimateHistory.Changes(written, estimates);
        await EstimateHistory.WriteAsync(store, version, changes, cancellationToken);
        foreach (var change in changes)
        {
            if (change.Options is null)
            {
                written.Remove(change.PropositionId);
            }
            else
            {
                written[change.PropositionId] = change.Options;
            }
        }

        // A copy: the next run changes the log's own while readers still hold this one.
        return new Dictionary<string, IReadOnlyList<OptionProbability>>(written, StringComparer.Ordinal);
    }
}
