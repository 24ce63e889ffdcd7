using Marten;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Reliability.Contracts.Articles;
using Reliability.Contracts.Ledger;

namespace Reliability.Grains.Records;

/// <summary>
/// Fills in <see cref="ArticleDocument.CitedUrlKeys"/> once the service has started, for articles
/// stored before the keys were kept (or whose keys were cleared to be worked out again under new
/// key rules). Each such article is registered again as stored, which keys its URLs and cites the
/// claims the record has learnt of at them since, as a claim recorded there from now on would be;
/// what it cited already is not cited twice. Idempotent: a keyed article is not read again, and one
/// left unkeyed by a failure is keyed at the next start. Until then, claims at its URLs are not linked.
/// </summary>
public sealed partial class ArticleUrlKeys(
    IDocumentStore store, ILedger ledger, IHostApplicationLifetime lifetime, ILogger<ArticleUrlKeys> logger) : BackgroundService
{
    /// <summary>
    /// Articles whose keys are missing, read from the JSON: the schema migration that adds the column
    /// fills it with an empty array for the rows it finds, which no claim's key overlaps. A scan of
    /// the articles, once per start.
    /// </summary>
    public const string Unkeyed = "where coalesce(data -> 'CitedUrlKeys', 'null'::jsonb) = 'null'::jsonb";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // After start-up: registering an article asks the cited sources' grains for their bands.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        try
        {
            var keyed = await KeyAllAsync(store, ledger, logger, stoppingToken);
            if (keyed > 0)
            {
                LogKeyed(logger, keyed);
            }
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            LogFailed(logger, exception);
        }
    }

    /// <summary>Keys every article that lacks its keys; returns how many it keyed.</summary>
    public static async Task<int> KeyAllAsync(IDocumentStore store, ILedger ledger, ILogger logger, CancellationToken cancellationToken)
    {
        IReadOnlyList<ArticleDocument> unkeyed;
        await using (var session = store.QuerySession())
        {
            unkeyed = await session.QueryAsync<ArticleDocument>(Unkeyed, cancellationToken);
        }

        var keyed = 0;
        foreach (var article in unkeyed)
        {
            var outcome = await ledger.RegisterArticleAsync(
                new ArticleSubmission(article.Url, article.PublishedAt, article.Title, article.CitedClaimIds, article.CitedUrls), cancellationToken);
            if (outcome.Succeeded)
            {
                keyed++;
            }
            else
            {
                LogRefused(logger, article.Id, outcome.Detail ?? string.Join("; ", outcome.Errors?.SelectMany(e => e.Value) ?? []));
            }
        }

        return keyed;
    }

    [LoggerMessage(LogLevel.Information, "Keyed the cited URLs of {Articles} articles stored before their keys were kept")]
    private static partial void LogKeyed(ILogger logger, int articles);

    [LoggerMessage(LogLevel.Warning, "Could not key the cited URLs of article {ArticleId}: {Reason}")]
    private static partial void LogRefused(ILogger logger, string articleId, string reason);

    [LoggerMessage(LogLevel.Warning, "Keying the cited URLs of stored articles failed; the next start tries again")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
