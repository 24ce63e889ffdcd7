using Marten;
using Npgsql;
using NpgsqlTypes;
using Reliability.Domain.Scoring;
using Reliability.Grains.Records;
using Weasel.Postgresql.Tables;

namespace Reliability.Grains.Sources;

/// <summary>
/// The band each topic and region of a source's live score showed readers, as <see cref="BandHistory"/>
/// keeps the overall band: a row per tag each time its band changed, per scoring policy, stamped with
/// the transaction's time. The live score holds each tag's band last shown
/// (<see cref="SourceScorer.Score"/>'s <c>shownTags</c>), so an estimate moving a topic's score back and
/// forth at a threshold does not flip that topic's band, and a read known at a past moment shows the
/// bands readers were shown then.
/// </summary>
/// <remarks>
/// A table of its own rather than a column of <see cref="BandHistory"/>'s, whose key it would change on
/// a database already holding rows. A tag is written as its kind and name ("topic:casualties",
/// "region:Timbuktu"), so a topic and a region of the same name stay apart.
/// </remarks>
public static class TagBandHistory
{
    public const string TableName = "tag_band_history";

    public static Table Definition(string schema) => BandHistory.Definition(schema, TableName, tagged: true);

    public static string QualifiedName(IDocumentStore store) => $"{store.Options.DatabaseSchemaName}.{TableName}";

    public static string Key(TagKind kind, string tag) => (kind == TagKind.Topic ? "topic:" : "region:") + tag;

    /// <summary>
    /// Queues, in the session's transaction, that readers are shown these bands for the source's tags under
    /// the policy: a row for each tag whose last row says otherwise, in one statement.
    /// </summary>
    internal static void Queue(IDocumentSession session, string sourceId, string policyVersion, IReadOnlyList<(string Tag, ReliabilityBand Band)> bands)
    {
        if (bands.Count == 0)
        {
            return;
        }

        var table = QualifiedName(session.DocumentStore);
        session.QueueSqlCommand(
            $"""
            insert into {table} (source_id, policy_version, tag, recorded_at, band)
            select ?, ?, shown.tag, {RecordingTime.Now}, shown.band
            from unnest(?::text[], ?::text[]) as shown(tag, band)
            where shown.band is distinct from (
                select last.band from {table} last
                where last.source_id = ? and last.policy_version = ? and last.tag = shown.tag
                order by last.recorded_at desc limit 1)
            on conflict do nothing
            """,
            sourceId, policyVersion, bands.Select(b => b.Tag).ToArray(), bands.Select(b => b.Band.ToString()).ToArray(), sourceId, policyVersion);
    }

    /// <summary>
    /// The bands readers were shown for the source's tags under the policy at <paramref name="knownAt"/>
    /// (each tag's latest row recorded by then), or now when it is null.
    /// </summary>
    public static async Task<ShownTagBands> ShownAsync(
        IDocumentStore store, string sourceId, string policyVersion, DateTimeOffset? knownAt, CancellationToken cancellationToken = default)
    {
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await using var read = new NpgsqlCommand(
            $"""
            select distinct on (tag) tag, band from {QualifiedName(store)}
            where source_id = $1 and policy_version = $2 and recorded_at <= coalesce($3, 'infinity'::timestamptz)
            order by tag, recorded_at desc
            """, connection);
        read.Parameters.Add(new NpgsqlParameter { Value = sourceId });
        read.Parameters.Add(new NpgsqlParameter { Value = policyVersion });
        read.Parameters.Add(new NpgsqlParameter { Value = knownAt is { } at ? at.ToUniversalTime() : DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        var topics = new Dictionary<string, ReliabilityBand>(StringComparer.Ordinal);
        var regions = new Dictionary<string, ReliabilityBand>(StringComparer.Ordinal);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var (tag, band) = (reader.GetString(0), reader.GetString(1));
            if (!Enum.TryParse<ReliabilityBand>(band, out var shown))
            {
                continue;
            }

            if (tag.StartsWith("topic:", StringComparison.Ordinal))
            {
                topics[tag["topic:".Length..]] = shown;
            }
            else if (tag.StartsWith("region:", StringComparison.Ordinal))
            {
                regions[tag["region:".Length..]] = shown;
            }
        }

        return new ShownTagBands(topics, regions);
    }
}
