using Marten;
using Reliability.Contracts.Ledger;
using Reliability.Domain.Events;
using Reliability.Domain.Model;
using Reliability.Grains.Records;

namespace Reliability.Grains.Tests;

/// <summary>Submissions and what is stored, as the tests need them.</summary>
public static class Record
{
    public static readonly DateTimeOffset Epoch = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    public static NewProposition Proposition(string id, int options = 2) =>
        new($"Question {id}?", [.. Enumerable.Range(0, options).Select(i => "o" + i)], ["topic-" + id[^1]], null, id);

    public static ClaimSubmission Claim(string id, string sourceId, string propositionId, string option, int minute, string hedge = "asserted", int options = 2) =>
        new(id, sourceId, null, null, null, Proposition(propositionId, options), option, Epoch.AddMinutes(minute),
            $"https://example.org/{sourceId}/{id}", null, null, hedge, null, null);

    public static async Task<IReadOnlyList<IReliabilityEvent>> StreamAsync(IDocumentStore store, string streamKey)
    {
        await using var session = store.QuerySession();
        var events = await session.Events.FetchStreamAsync(streamKey);
        return [.. events.Select(e => e.Data).OfType<IReliabilityEvent>()];
    }

    public static async Task<IReadOnlyList<string>> ClaimIdsAsync(IDocumentStore store, string streamKey) =>
        [.. (await StreamAsync(store, streamKey)).OfType<ClaimRecorded>().Select(c => c.Claim.Id)];

    public static async Task<T?> LoadAsync<T>(IDocumentStore store, string id) where T : notnull
    {
        await using var session = store.QuerySession();
        return await session.LoadAsync<T>(id);
    }

    /// <summary>Polls until the check holds; a deadline for liveness, never a timing assertion.</summary>
    public static async Task EventuallyAsync(Func<Task<bool>> check, string what, int seconds = 60)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await check())
                {
                    return;
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException or OrleansException)
            {
                last = e;
            }

            await Task.Delay(250);
        }

        Assert.Fail($"Never happened: {what}. Last error: {last?.Message}");
    }

    public static string Json<T>(T value) => System.Text.Json.JsonSerializer.Serialize(value);

    public static IEnumerable<ClaimSubmission> Accepted(this IReadOnlyList<SubmissionResult> results, IEnumerable<ClaimSubmission> submitted)
    {
        var accepted = results.Where(r => r.Status == SubmissionStatus.Accepted).Select(r => r.Id).ToHashSet();
        return submitted.Where(s => accepted.Contains(s.Id));
    }

    /// <summary>A claim appended straight to the streams, behind the grains' backs, as a writer that died before telling them leaves it.</summary>
    public static async Task AppendClaimAsync(
        IDocumentStore store, string source, string proposition, string claimId, int minute, bool alsoToProposition = false)
    {
        var claim = new ClaimRecorded(new Claim(claimId, source, proposition, "o0", Epoch.AddMinutes(minute), null, null, null, Hedge.Asserted, null, []));
        await using var session = store.LightweightSession();
        session.Events.Append(SourceStream(source), claim);
        if (alsoToProposition)
        {
            session.Events.Append(PropositionStream(proposition), claim);
        }

        await session.SaveChangesAsync();
    }

    public static string SourceStream(string id) => StreamKeys.Source(id);

    public static string PropositionStream(string id) => StreamKeys.Proposition(id);
}
