using System.Net.Http.Headers;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;
using Reliability.Infrastructure;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Demo;

/// <summary>
/// On the first start of an empty record, replays the seed case through the service's own API, so
/// a newcomer sees real sources, badges and scores at once. Turned off with
/// <c>Reliability:Demo:LoadSeedCase=false</c>; by default it runs only on the embedded database.
/// Progress is kept after every step (<see cref="SeedCaseProgress"/>): a load cut short by a stop
/// or a crash goes on from where it was at the next start, instead of leaving half a case forever.
/// </summary>
internal sealed partial class SeedCaseLoader(
    IHostApplicationLifetime lifetime, IServer server, IDocumentStore store, ApiKeyStore keys, ILogger<SeedCaseLoader> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        try
        {
            if (await ProgressToMakeAsync(stoppingToken) is { } progress)
            {
                await ReplayAsync(progress, stoppingToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception);
        }
    }

    /// <summary>The load to start or go on with; null when it is done, or the record holds data of its own.</summary>
    private async Task<SeedCaseProgress?> ProgressToMakeAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        if (await session.LoadAsync<SeedCaseProgress>(SeedCaseProgress.DocumentId, cancellationToken) is { } progress)
        {
            return progress.Completed ? null : progress;
        }

        if (await session.Query<SourceDocument>().AnyAsync(cancellationToken))
        {
            LogOwnData(logger);
            return null;
        }

        // Kept before the first step: from here on the record's sources are the seed case's. Inserted,
        // so of two nodes starting on one empty record only one loads it.
        progress = new SeedCaseProgress { Id = SeedCaseProgress.DocumentId };
        session.Insert(progress);
        try
        {
            await session.SaveChangesAsync(cancellationToken);
        }
        catch (Exception exception) when (ExceptionChain.IsDocumentTaken(exception))
        {
            return null;
        }

        return progress;
    }

    private async Task ReplayAsync(SeedCaseProgress progress, CancellationToken cancellationToken)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no address to replay the seed case through.");
        var steps = ScenarioStep.Load(ScenarioStep.SeedCasePath);
        var claimIds = steps.SelectMany(step => step.ClaimIds).ToHashSet(StringComparer.Ordinal);
        if (progress.StepsDone > 0)
        {
            LogResuming(logger, progress.StepsDone, steps.Count);
        }

        // A key of its own for the replay, revoked at once: the demo leaves no usable secret behind.
        var (key, secret) = await keys.CreateAsync("seed case loader", ApiKeyRole.Editor, cancellationToken);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://[::]", "://127.0.0.1")) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            var resumedAt = progress.StepsDone;
            for (var i = resumedAt; i < steps.Count; i++)
            {
                // A stop between a step and its progress repeats that step. Every step is idempotent
                // but a resolution, which would add an identical revision; that one is looked for first.
                var maybeDone = i == resumedAt && resumedAt > 0;
                if (!maybeDone || !await steps[i].IsRecordedAsync(client, cancellationToken))
                {
                    await steps[i].SendAsync(client, cancellationToken);
                }

                progress.StepsDone = i + 1;
                await SaveAsync(progress, cancellationToken);
                if (steps[i].ClaimIds.Count > 0)
                {
                    await StopWatchingAsync(claimIds, cancellationToken);
                }
            }

            await StopWatchingAsync(claimIds, cancellationToken);
            progress.Completed = true;
            await SaveAsync(progress, cancellationToken);
            LogLoaded(logger, steps.Count);
        }
        finally
        {
            await keys.RevokeAsync(key.Id, CancellationToken.None);
        }
    }

    private async Task SaveAsync(SeedCaseProgress progress, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        session.Store(progress);
        await session.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// The seed case's post URLs are illustrations, not live posts: checking them would record
    /// observed deletions the case never had. Done after every step that records claims, so a load
    /// cut short leaves none of them watched while the service is down.
    /// </summary>
    private async Task StopWatchingAsync(IReadOnlySet<string> claimIds, CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        // A watch's id is its claim's.
        foreach (var watch in await session.LoadManyAsync<ClaimWatch>(cancellationToken, [.. claimIds]))
        {
            if (!watch.Finished)
            {
                watch.Finished = true;
                session.Store(watch);
            }
        }

        await session.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Loaded the seed case ({Steps} API calls): open /demo to see it")]
    private static partial void LogLoaded(ILogger logger, int steps);

    [LoggerMessage(LogLevel.Information, "Going on with the seed case from step {Done} of {Steps}")]
    private static partial void LogResuming(ILogger logger, int done, int steps);

    [LoggerMessage(LogLevel.Information, "The record holds data of its own: the seed case is not loaded")]
    private static partial void LogOwnData(ILogger logger);

    [LoggerMessage(LogLevel.Warning, "Could not load the seed case")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

/// <summary>How far the seed case has been replayed into this record; one document, kept after every step.</summary>
internal sealed class SeedCaseProgress
{
    public const string DocumentId = "seed-case";

    public required string Id { get; set; }

    /// <summary>Steps of the seed file answered by the API so far, in order.</summary>
    public int StepsDone { get; set; }

    public bool Completed { get; set; }
}
