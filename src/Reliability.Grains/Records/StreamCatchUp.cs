using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Reliability.Contracts.Propositions;
using Reliability.Contracts.Sources;

namespace Reliability.Grains.Records;

/// <summary>
/// Every <see cref="RecordOptions.CatchUpInterval"/>, compares the versions this silo's active
/// grains hold with their streams' stored versions, a few thousand streams per query, and tells the
/// grains that are behind to read their streams. Writers tell grains after every commit; this is
/// for the commit whose writer died before telling them. It costs one query per few thousand active
/// grains, where a timer per grain cost one stream read per grain.
/// </summary>
public sealed partial class StreamCatchUp(
    ActiveStreams active, NpgsqlDataSource database, IDocumentStore store, IGrainFactory grains,
    IOptions<RecordOptions> options, ILogger<StreamCatchUp> logger) : BackgroundService
{
    private const int StreamsPerQuery = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CatchUpInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var behind = await CatchUpOnceAsync(stoppingToken);
                if (behind > 0)
                {
                    LogCaughtUp(logger, behind);
                }
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // The next round tries again; a store that is down fails every other read too.
                LogRoundFailed(logger, exception);
            }
        }
    }

    /// <summary>One round: how many grains were found behind their streams and told to catch up.</summary>
    public async Task<int> CatchUpOnceAsync(CancellationToken cancellationToken)
    {
        var behind = new List<(HeldStream Held, long Version)>();
        foreach (var chunk in active.Snapshot().Chunk(StreamsPerQuery))
        {
            var byKey = chunk.ToDictionary(h => h.StreamKey, StringComparer.Ordinal);
            await using var command = database.CreateCommand(
                $"select id, version from {store.Options.Events.DatabaseSchemaName}.mt_streams where id = any($1)");
            command.Parameters.Add(new NpgsqlParameter { Value = byKey.Keys.ToArray() });
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var held = byKey[reader.GetString(0)];
                var version = reader.GetInt64(1);
                if (version > held.Version)
                {
                    behind.Add((held, version));
                }
            }
        }

        await Parallel.ForEachAsync(
            behind,
            new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken },
            async (stream, _) =>
            {
                // A grain deactivated meanwhile reads its stream when it is next activated anyway.
                if (!active.IsHeld(stream.Held))
                {
                    return;
                }

                try
                {
                    await (stream.Held.Owner == StreamOwner.Source
                        ? grains.GetGrain<ISourceGrain>(stream.Held.Id).CatchUpAsync(stream.Version)
                        : grains.GetGrain<IPropositionGrain>(stream.Held.Id).CatchUpAsync(stream.Version));
                }
                catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // One grain that cannot catch up must not hold back the others in the round: the
                    // rest of the list would otherwise wait for the next commit to reach them.
                    LogGrainFailed(logger, stream.Held.StreamKey, exception);
                }
            });
        return behind.Count;
    }

    [LoggerMessage(LogLevel.Information, "{Count} active grain(s) were behind their streams and caught up")]
    private static partial void LogCaughtUp(ILogger logger, int count);

    [LoggerMessage(LogLevel.Warning, "Stream {StreamKey} could not be caught up; the next round tries again")]
    private static partial void LogGrainFailed(ILogger logger, string streamKey, Exception exception);

    [LoggerMessage(LogLevel.Warning, "Checking active grains against their streams failed; the next round tries again")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
