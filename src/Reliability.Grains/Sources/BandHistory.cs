using Marten;
using Npgsql;
using NpgsqlTypes;
using Reliability.Domain.Scoring;
using Reliability.Grains.Records;
using Weasel.Postgresql.Tables;

namespace Reliability.Grains.Sources;

/// <summary>
/// The band each source's live score showed readers, by the tracker's clock: a row each time it
/// changed, per scoring policy, stamped with the transaction's time as the events are. The live
/// score holds the band last shown (<see cref="SourceScorer.Score"/>'s <c>shown</c>), so a score
/// the provisional estimate moves back and forth at a boundary keeps its band until it crosses the
/// boundary by the margin (domain point 7); a read known at a past moment takes the row in force then,
/// so it shows the band readers were shown.
/// </summary>
/// <remarks>
/// <para>
/// The band walk of a score runs over verdicts alone: the estimate of the past is on record
/// (<see cref="Propositions.EstimateHistory"/>) but walking it would judge every claim again at each
/// estimate change of every proposition the source claimed on. What a reader needs held is the band
/// they were shown, and that is one row per change of band, written before the band is served, read
/// once per activation, and only where it decides the band (within the margin of a threshold).
/// </para>
/// <para>
/// A table of its own beside Marten's documents, managed by Marten's schema like
/// <see cref="HandleHolders"/>: rows are only ever added, and the read is by source, policy and time.
/// </para>
/// </remarks>
public static class BandHistory
{
    public const string TableName = "band_history";

    public static Table Definition(string schema) => Definition(schema, TableName, tagged: false);

    /// <summary>A table of bands shown, keyed by source, policy, (tag,) and recording time.</summary>
    internal static Table Definition(string schema, string tableName, bool tagged)
    {
        var table = new Table($"{schema}.{tableName}");
        table.AddColumn<string>("source_id").AsPrimaryKey();
        table.AddColumn<string>("policy_version").AsPrimaryKey();
        if (tagged)
        {
            table.AddColumn<string>("tag").AsPrimaryKey();
        }

        table.AddColumn("recorded_at", "timestamp with time zone").AsPrimaryKey();
        table.AddColumn<string>("band").NotNull();
        return table;
    }

    public static string QualifiedName(IDocumentStore store) => $"{store.Options.DatabaseSchemaName}.{TableName}";

    /// <summary>
    /// Queues, in the session's transaction, that readers are shown <paramref name="band"/> for the
    /// source under the policy: a row only if the last one recorded says otherwise, so a new activation
    /// whose score settles the band on its own need not read what was recorded first.
    /// </summary>
    internal static void Queue(IDocumentSession session, string sourceId, string policyVersion, ReliabilityBand band)
    {
        var table = QualifiedName(session.DocumentStore);
        // Two activations of one source at once (a cluster healing a split) may both write in one moment.
        session.QueueSqlCommand(
            $"""
            insert into {table} (source_id, policy_version, recorded_at, band)
            select ?, ?, {RecordingTime.Now}, ?
            where ? is distinct from (select band from {table} where source_id = ? and policy_version = ? order by recorded_at desc limit 1)
            on conflict do nothing
            """,
            sourceId, policyVersion, band.ToString(), band.ToString(), sourceId, policyVersion);
    }

    /// <summary>
    /// The band readers were shown for the source under the policy at <paramref name="knownAt"/> (the
    /// latest row recorded by then), or now when it is null; null when none was recorded by then.
    /// </summary>
    public static async Task<ReliabilityBand?> ShownAsync(
        IDocumentStore store, string sourceId, string policyVersion, DateTimeOffset? knownAt, CancellationToken cancellationToken = default)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var read = new NpgsqlCommand(
            $"""
            select band from {QualifiedName(store)}
            where source_id = $1 and policy_version = $2 and recorded_at <= coalesce($3, 'infinity'::timestamptz)
            order by recorded_at desc limit 1
            """, connection);
        read.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        read.Parameters.Add(new NpgsqlParameter { Value = policyVersion });
        read.Parameters.Add(new NpgsqlParameter { Value = knownAt is { } at ? at.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        return await read.ExecuteScalarAsync(cancellationToken) is string band && Enum.TryParse<ReliabilityBand>(band, out var shown) ? shown : null;
    }
}
