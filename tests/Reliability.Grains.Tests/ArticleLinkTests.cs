using Microsoft.Extensions.Logging.Abstractions;
using Reliability.Contracts.Articles;
using Reliability.Contracts.Ledger;
using Reliability.Domain.Events;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;
using static Reliability.Grains.Tests.Record;

namespace Reliability.Grains.Tests;

/// <summary>
/// A claim recorded at a URL an article cites is cited by the article once, whichever of the two
/// commits first, and however the writes interleave.
/// </summary>
public sealed class ArticleLinkTests(GrainCluster fixture) : IClassFixture<GrainCluster>
{
    // Long enough for the other write to commit first were nothing holding it back; the tests assert
    // only what is stored at the end, whichever way the race went.
    private static readonly TimeSpan Head = TimeSpan.FromSeconds(1);

    private static ArticleSubmission Article(string name, params string[] urls) =>
        new($"https://news.example/{name}", Epoch.AddHours(6), null, [], urls);

    private static string UrlOf(ClaimSubmission claim) => claim.Url!;

    [Fact]
    public async Task An_article_registered_while_a_claim_at_its_url_commits_cites_it_once()
    {
        var claim = Claim("link-a1", "link-sa", "link-pa", "o0", 1);
        var article = Article("link-a", UrlOf(claim));
        Task<LedgerOutcome<ArticleView>>? registering = null;
        fixture.Injector.Arm(async () =>
        {
            registering = Task.Run(() => fixture.Ledger.RegisterArticleAsync(article));
            await Task.WhenAny(registering, Task.Delay(Head));
        });

        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([claim])).Status);
        Assert.True(fixture.Injector.Fired);
        Assert.True((await registering!).Succeeded);

        await AssertCitedOnceAsync(article, claim);
    }

    [Fact]
    public async Task A_claim_committed_while_an_article_citing_its_url_is_registered_is_cited_once()
    {
        var claim = Claim("link-b1", "link-sb", "link-pb", "o0", 1);
        var article = Article("link-b", UrlOf(claim));
        Task<IReadOnlyList<SubmissionResult>>? recording = null;
        fixture.Injector.Arm(async () =>
        {
            recording = Task.Run(() => fixture.Ledger.RecordClaimsAsync([claim]));
            await Task.WhenAny(recording, Task.Delay(Head));
        });

        Assert.True((await fixture.Ledger.RegisterArticleAsync(article)).Succeeded);
        Assert.True(fixture.Injector.Fired);
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await recording!).Status);

        await AssertCitedOnceAsync(article, claim);
    }

    [Fact]
    public async Task Two_claim_commits_linking_one_article_at_once_are_both_cited()
    {
        // Other sources and questions: the commits share nothing but the article.
        var (first, second) = (Claim("link-c1", "link-sc1", "link-pc1", "o0", 1), Claim("link-c2", "link-sc2", "link-pc2", "o0", 2));
        var article = Article("link-c", UrlOf(first), UrlOf(second));
        Assert.True((await fixture.Ledger.RegisterArticleAsync(article)).Succeeded);
        Task<IReadOnlyList<SubmissionResult>>? recording = null;
        fixture.Injector.Arm(async () =>
        {
            recording = Task.Run(() => fixture.Ledger.RecordClaimsAsync([second]));
            await Task.WhenAny(recording, Task.Delay(Head));
        });

        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([first])).Status);
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await recording!).Status);

        await AssertCitedOnceAsync(article, first);
        await AssertCitedOnceAsync(article, second);
        var stored = (await LoadAsync<ArticleDocument>(fixture.Store, StreamKeys.ArticleIdFor(article.Url)))!;
        Assert.Equal(["link-sc1", "link-sc2"], stored.Sources.Select(s => s.SourceId).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task An_article_stored_before_its_urls_were_keyed_is_keyed_once_and_cites_what_was_recorded_since()
    {
        var claim = Claim("link-d1", "link-sd", "link-pd", "o0", 1);
        var article = Article("link-d", UrlOf(claim));
        var id = StreamKeys.ArticleIdFor(article.Url);
        await using (var session = fixture.Store.LightweightSession())
        {
            session.Store(new ArticleDocument { Id = id, Url = article.Url, PublishedAt = article.PublishedAt, RegisteredAt = Epoch, CitedUrls = [.. article.Urls] });
            await session.SaveChangesAsync();
        }

        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([claim])).Status);
        Assert.Empty((await LoadAsync<ArticleDocument>(fixture.Store, id))!.CitedClaimIds);

        Assert.Equal(1, await ArticleUrlKeys.KeyAllAsync(fixture.Store, fixture.Ledger, NullLogger.Instance, CancellationToken.None));
        Assert.Equal([UrlKeys.Of(claim.Url)!], (await LoadAsync<ArticleDocument>(fixture.Store, id))!.CitedUrlKeys!);
        await AssertCitedOnceAsync(article, claim);

        Assert.Equal(0, await ArticleUrlKeys.KeyAllAsync(fixture.Store, fixture.Ledger, NullLogger.Instance, CancellationToken.None));
        await AssertCitedOnceAsync(article, claim);
    }

    [Fact]
    public async Task The_replacement_a_reversal_records_at_a_url_an_article_cites_is_cited_by_it()
    {
        // The source's new post, only now recorded through the reversal of its old one.
        var old = Claim("link-e1", "link-se", "link-pe", "o0", 1);
        var replacement = Claim("link-e2", "link-se", "link-pe", "o1", 30);
        var article = Article("link-e", UrlOf(replacement));
        Assert.Equal(SubmissionStatus.Accepted, Assert.Single(await fixture.Ledger.RecordClaimsAsync([old])).Status);
        Assert.True((await fixture.Ledger.RegisterArticleAsync(article)).Succeeded);
        Assert.Empty((await LoadAsync<ArticleDocument>(fixture.Store, StreamKeys.ArticleIdFor(article.Url)))!.CitedClaimIds);

        var reversal = new CorrectionSubmission("reversed", Epoch.AddMinutes(31), UrlOf(replacement), null, replacement);
        Assert.True((await fixture.Ledger.RecordCorrectionAsync(old.Id, reversal)).Succeeded);

        await AssertCitedOnceAsync(article, replacement);
        Assert.DoesNotContain(old.Id, (await LoadAsync<ArticleDocument>(fixture.Store, StreamKeys.ArticleIdFor(article.Url)))!.CitedClaimIds);
    }

    private async Task AssertCitedOnceAsync(ArticleSubmission article, ClaimSubmission claim)
    {
        var stored = (await LoadAsync<ArticleDocument>(fixture.Store, StreamKeys.ArticleIdFor(article.Url)))!;
        Assert.Single(stored.CitedClaimIds, claim.Id);
        Assert.Contains(stored.Sources, s => s.SourceId == claim.SourceId);
        var citations = (await StreamAsync(fixture.Store, StreamKeys.Source(claim.SourceId!))).OfType<CitationRecorded>()
            .Where(c => c.Citation.CitedClaimIds.Contains(claim.Id)).ToList();
        Assert.Equal(article.Url, Assert.Single(citations).Citation.ArticleUrl);
        Assert.NotNull((await LoadAsync<ClaimWatch>(fixture.Store, claim.Id))!.CitedAt);
    }
}
