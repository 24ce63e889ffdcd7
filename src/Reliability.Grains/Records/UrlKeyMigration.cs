using System.Data;
using System.Text.Json;
using System.Text.Json.Nodes;
using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Reliability.Grains.Records;

/// <summary>
/// Re-keys stored URL keys once <see cref="UrlKeys.Of"/> keys some URLs otherwise
/// (<see cref="UrlKeys.Version"/>), so claims recorded under the earlier function are found by the
/// current one. Runs at start-up, before the node serves. Versioned and recorded in
/// <c>url_key_versions</c>: a pass done is never run again. Restartable: each batch commits with
/// the position it reached, and a pass cut short goes on from there. Silos starting together take
/// turns under an advisory lock, held by the connection that migrates, so a silo that dies
/// mid-pass lets the next one go on. A record of a million claims is read a page at a time by id,
/// and only the rows whose key changes are written.
/// </summary>
public sealed partial class UrlKeyMigration(IDocumentStore store, ILogger<UrlKeyMigration> logger) : IHostedService
{
    /// <summary>Rows read per page; the rows of a page whose key changes are written in one statement.</summary>
    public const int PageSize = 1000;

    // Silos started together all migrate; a session-level advisory lock makes them take turns.
    private const long MigrationLock = 0x55524C4B455953; // "URLKEYS"

    /// <summary>
    /// Every stored field made by <see cref="UrlKeys.Of"/>, with the field it is made from. Another
    /// stored key is one more line here: a field of URLs and its field of keys, a list of keys from
    /// a list of URLs included (<see cref="KeysOf"/>).
    /// </summary>
    private static readonly StoredKey[] StoredKeys =
    [
        new(typeof(ClaimDocument), nameof(ClaimDocument.Url), nameof(ClaimDocument.UrlKey)),
        new(typeof(ArticleDocument), nameof(ArticleDocument.Url), nameof(ArticleDocument.UrlKey)),
        // Not re-keyed here but forgotten, column and all: the start-up pass that keys articles
        // (ArticleUrlKeys) makes them again and links the claims the new keys match, which re-keying
        // alone would leave uncited.
        new(typeof(ArticleDocument), nameof(ArticleDocument.CitedUrls), nameof(ArticleDocument.CitedUrlKeys), ForgetColumn: "cited_url_keys"),
    ];

    public Task StartAsync(CancellationToken cancellationToken) => MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Re-keys what an earlier key function stored, unless that is done; returns the rows re-keyed.</summary>
    public async Task<long> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var schema = store.Options.DatabaseSchemaName;
        await using var connection = store.Storage.Database.CreateConnection();
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"select pg_advisory_lock({MigrationLock})", cancellationToken);
        long rekeyed;
        try
        {
            rekeyed = await PassAsync(connection, schema, cancellationToken);
        }
        catch (Exception) when (connection.State != ConnectionState.Open)
        {
            // The lock died with the session; releasing it on a broken connection would only throw
            // again and hide why the pass stopped.
            throw;
        }
        catch (Exception failure)
        {
            await ReleaseAfterFailureAsync(connection, failure);
            throw;
        }

        // Released here on success: a pooled connection keeps its session, and with it the lock.
        await ExecuteAsync(connection, $"select pg_advisory_unlock({MigrationLock})", CancellationToken.None);
        return rekeyed;
    }

    /// <summary>The pass itself, under the lock: from where an earlier one stopped, unless the migration is done.</summary>
    private async Task<long> PassAsync(NpgsqlConnection connection, string schema, CancellationToken cancellationToken)
    {
        await ExecuteAsync(connection, $"""
            create schema if not exists {schema};
            create table if not exists {schema}.url_key_versions
            (
                version  integer PRIMARY KEY,
                step     integer NOT NULL DEFAULT 0,
                after_id text,
                done_at  timestamptz
            );
            insert into {schema}.url_key_versions (version) values ({UrlKeys.Version}) on conflict do nothing;
            """, cancellationToken);
        await using var read = new NpgsqlCommand(
            $"select step, after_id, done_at is not null from {schema}.url_key_versions where version = {UrlKeys.Version}", connection);
        int step;
        string? afterId;
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            if (reader.GetBoolean(2))
            {
                return 0;
            }

            (step, afterId) = (reader.GetInt32(0), reader.IsDBNull(1) ? null : reader.GetString(1));
        }

        LogStarted(logger, UrlKeys.Version, step, afterId);
        long rekeyed = 0;
        for (; step < StoredKeys.Length; step++, afterId = null)
        {
            rekeyed += await RekeyAsync(connection, schema, step, afterId, cancellationToken);
        }

        await ExecuteAsync(connection,
            $"update {schema}.url_key_versions set step = {step}, after_id = null, done_at = now() where version = {UrlKeys.Version}",
            cancellationToken);
        LogDone(logger, UrlKeys.Version, rekeyed);
        return rekeyed;
    }

    /// <summary>
    /// Releases the lock after a pass failed on a live connection. Should that fail too, the error
    /// that stopped the pass is the one worth reporting: this one is logged, and the connection is
    /// kept out of the pool so that closing it ends the session and the lock with it.
    /// </summary>
    private async Task ReleaseAfterFailureAsync(NpgsqlConnection connection, Exception failure)
    {
        try
        {
            await ExecuteAsync(connection, $"select pg_advisory_unlock({MigrationLock})", CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            LogReleaseFailed(logger, e, failure.Message);
            NpgsqlConnection.ClearPool(connection);
        }
    }

    /// <summary>One stored key's pass, page by page from where an earlier pass stopped.</summary>
    private async Task<long> RekeyAsync(NpgsqlConnection connection, string schema, int step, string? afterId, CancellationToken cancellationToken)
    {
        var stored = StoredKeys[step];
        var table = store.Options.Schema.For(stored.Document);
        if (!await ExistsAsync(connection, table, cancellationToken))
        {
            return 0;
        }

        long rekeyed = 0;
        while (true)
        {
            var ids = new List<string>();
            var urls = new List<string?>();
            var keys = new List<string?>();
            var read = 0;
            await using (var page = new NpgsqlCommand(
                $"select id, data -> '{stored.UrlField}', data -> '{stored.KeyField}' from {table} " +
                $"{(afterId is null ? "" : "where id > $1")} order by id limit {PageSize}", connection))
            {
                if (afterId is not null)
                {
                    page.Parameters.Add(new NpgsqlParameter { Value = afterId });
                }

                await using var reader = await page.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    read++;
                    afterId = reader.GetString(0);
                    var url = reader.IsDBNull(1) ? null : reader.GetString(1);
                    var key = KeysOf(url);
                    var storedKey = reader.IsDBNull(2) ? null : reader.GetString(2);
                    if (!JsonEqual(key, storedKey) && !(stored.ForgetColumn is not null && storedKey is null or "null"))
                    {
                        ids.Add(afterId);
                        urls.Add(url);
                        keys.Add(stored.ForgetColumn is null ? key : null);
                    }
                }
            }

            if (read == 0)
            {
                return rekeyed;
            }

            // The batch and the position it reached commit together. A row is re-keyed only while its
            // URL is the one read (a writer may have stored it meanwhile), and its other fields are
            // left as they are now: a correction committed meanwhile stays.
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            if (ids.Count > 0)
            {
                await using var update = new NpgsqlCommand($"""
                    update {table} d set data = jsonb_set(d.data, $4::text[], coalesce(r.key::jsonb, 'null'::jsonb), true),
                        {(stored.ForgetColumn is null ? "" : $"{stored.ForgetColumn} = null, ")}
                        mt_version = md5(random()::text || clock_timestamp()::text)::uuid
                    from unnest($1::text[], $2::text[], $3::text[]) as r(id, url, key)
                    where d.id = r.id and (d.data -> '{stored.UrlField}') is not distinct from r.url::jsonb
                    """, connection, transaction);
                update.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
                update.Parameters.Add(new NpgsqlParameter { Value = urls.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
                update.Parameters.Add(new NpgsqlParameter { Value = keys.ToArray(), NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text });
                update.Parameters.Add(new NpgsqlParameter { Value = new[] { stored.KeyField } });
                rekeyed += await update.ExecuteNonQueryAsync(cancellationToken);
            }

            await using (var progress = new NpgsqlCommand(
                $"update {schema}.url_key_versions set step = {step}, after_id = $1 where version = {UrlKeys.Version}", connection, transaction))
            {
                progress.Parameters.Add(new NpgsqlParameter { Value = afterId });
                await progress.ExecuteNonQueryAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            if (read < PageSize)
            {
                return rekeyed;
            }
        }
    }

    /// <summary>
    /// The key JSON of a URL field's JSON: a key for a URL, a list of keys (each once) for a list of
    /// URLs, null for anything else.
    /// </summary>
    internal static string? KeysOf(string? urlJson)
    {
        var node = urlJson is null ? null : JsonNode.Parse(urlJson);
        return node switch
        {
            JsonValue value when value.GetValueKind() == JsonValueKind.String => JsonSerializer.Serialize(UrlKeys.Of(value.GetValue<string>())),
            JsonArray list => JsonSerializer.Serialize(list.Select(u => u?.GetValueKind() == JsonValueKind.String ? UrlKeys.Of(u.GetValue<string>()) : null)
                .OfType<string>().Distinct(StringComparer.Ordinal).ToArray()),
            _ => null,
        };
    }

    private static bool JsonEqual(string? key, string? storedKey) =>
        (key is null or "null" && storedKey is null or "null")
        || (key is not null && storedKey is not null && JsonNode.DeepEquals(JsonNode.Parse(key), JsonNode.Parse(storedKey)));

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string table, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("select to_regclass($1) is not null", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = table });
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// A stored field of keys and the field of URLs it is made from, in a document's JSON. With
    /// <paramref name="ForgetColumn"/>, keys that changed are set to null in the JSON and in that
    /// duplicated column, for a pass of their own to make again.
    /// </summary>
    /// <remarks>
    /// Every row written gets a new version: a writer that read a versioned document (an article)
    /// before it was re-keyed must read it again rather than store the old key back.
    /// </remarks>
    private sealed record StoredKey(Type Document, string UrlField, string KeyField, string? ForgetColumn = null);

    [LoggerMessage(LogLevel.Information, "Re-keying stored URL keys for key version {Version} (from step {Step}, after id {AfterId})")]
    private static partial void LogStarted(ILogger logger, int version, int step, string? afterId);

    [LoggerMessage(LogLevel.Warning, "Could not release the URL key migration's lock after the pass failed ({Failure}); its connection is closed instead")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string failure);

    [LoggerMessage(LogLevel.Information, "Stored URL keys are at key version {Version}: {Rekeyed} rows re-keyed")]
    private static partial void LogDone(ILogger logger, int version, long rekeyed);
}
