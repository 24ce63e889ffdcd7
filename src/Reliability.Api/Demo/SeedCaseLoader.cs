using System.Net.Http.Headers;
using Marten;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Demo;

/// <summary>
/// On the first start of an empty record, replays the seed case through the service's own API, so
/// a newcomer sees real sources, badges and scores at once. Turned off with
/// <c>Reliability:Demo:LoadSeedCase=false</c>; by default it runs only on the embedded database.
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
            await using (var session = store.QuerySession())
            {
                if (await session.Query<SourceDocument>().AnyAsync(stoppingToken))
                {
                    return;
                }
            }

            await ReplayAsync(stoppingToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception);
        }
    }

    private async Task ReplayAsync(CancellationToken cancellationToken)
    {
        var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("The server has no address to replay the seed case through.");
        // A key of its own for the replay, revoked at once: the demo leaves no usable secret behind.
        var (key, secret) = await keys.CreateAsync("seed case loader", ApiKeyRole.Editor, cancellationToken);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri(address.Replace("://+", "://127.0.0.1").Replace("://*", "://127.0.0.1").Replace("://[::]", "://127.0.0.1")) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
            var steps = ScenarioStep.Load(ScenarioStep.SeedCasePath);
            foreach (var step in steps)
            {
                await step.SendAsync(client, cancellationToken);
            }

            await StopWatchingAsync(cancellationToken);
            LogLoaded(logger, steps.Count);
        }
        finally
        {
            await keys.RevokeAsync(key.Id, CancellationToken.None);
        }
    }

    /// <summary>
    /// The seed case's post URLs are illustrations, not live posts: checking them would record
    /// observed deletions the case never had. The record was empty, so every watch is the seed's.
    /// </summary>
    private async Task StopWatchingAsync(CancellationToken cancellationToken)
    {
        await using var session = store.LightweightSession();
        foreach (var watch in await session.Query<ClaimWatch>().Where(w => !w.Finished).ToListAsync(cancellationToken))
        {
            watch.Finished = true;
            session.Store(watch);
        }

        await session.SaveChangesAsync(cancellationToken);
    }

    [LoggerMessage(LogLevel.Information, "Loaded the seed case ({Steps} API calls): open /demo to see it")]
    private static partial void LogLoaded(ILogger logger, int steps);

    [LoggerMessage(LogLevel.Warning, "Could not load the seed case")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
