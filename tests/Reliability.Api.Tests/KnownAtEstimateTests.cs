using System.Net.Http.Json;
using System.Text.Json;

namespace Reliability.Api.Tests;

/// <summary>
/// "What did the tracker tell us when we published": on open propositions the score a desk was shown
/// rested on the provisional truth estimate of that moment, and a read known at that moment shows it
/// again, however the estimate has moved since.
/// </summary>
public sealed partial class KnownAtTests
{
    private Task<JsonElement> ScoreAsync(string sourceId, string query = "") => ReadAsync($"/v1/sources/{sourceId}/score", query);

    private static double Summary(JsonElement score, string property) => score.GetProperty("summary").GetProperty(property).GetDouble();

    private async Task<double> ProbabilityAsync(string propositionId, string option) =>
        (await Client.GetFromJsonAsync<JsonElement>($"/v1/propositions/{propositionId}")).GetProperty("provisionalProbabilities").EnumerateArray()
            .Single(p => p.GetProperty("option").GetString() == option).GetProperty("probability").GetDouble();

    /// <summary>
    /// The same score, resting on the same provisional evidence. Only the moment differs: the live read
    /// was judged when it was asked, a moment before K, and recency ages every claim by the time
    /// between (microscopically, under a year's half-life).
    /// </summary>
    private static void AssertSameScore(JsonElement shown, JsonElement known)
    {
        foreach (var property in new[] { "score", "lower", "upper", "effectiveEvidence" })
        {
            Assert.Equal(Summary(shown, property), Summary(known, property), 1e-6);
        }

        Assert.Equal(shown.GetProperty("summary").GetProperty("band").GetString(), known.GetProperty("summary").GetProperty("band").GetString());
        Assert.Equal(shown.GetProperty("provisionalEvidence").GetDouble(), known.GetProperty("provisionalEvidence").GetDouble(), 1e-6);
    }

    [Fact]
    public async Task Known_at_a_moment_a_score_on_open_propositions_rests_on_the_estimate_in_force_then()
    {
        var run = Guid.NewGuid();
        // Posted this week: a three-year-old claim weighs an eighth under the year's half-life, and its
        // provisional evidence would hardly move the score.
        string Day(int hours) => DateTimeOffset.UtcNow.AddDays(-3).AddHours(hours).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
        var question = $"Who held Dioura? {run}";
        var handle = $"est_{run:N}"[..20];
        var (own, corroborating) = (NewId("own"), NewId("corroborating"));
        var (sourceId, propositions) = await PostClaimsAsync(Claim(own, handle, question, Repelled, Day(0)));
        var proposition = propositions[0];
        await PostClaimsAsync(Claim(corroborating, $"est2_{run:N}"[..20], question, Repelled, Day(1)));
        await PostClaimsAsync(Claim(NewId("contrary"), $"est3_{run:N}"[..20], question, Taken, Day(2)));
        await api.Factory.WaitForQuietTruthAsync();
        var shownFirst = await ScoreAsync(sourceId);
        var historyFirst = await ReadAsync($"/v1/sources/{sourceId}/history", "");
        var probabilityFirst = await ProbabilityAsync(proposition, Repelled);
        Assert.True(shownFirst.GetProperty("provisionalEvidence").GetDouble() > 0, "the live score rests on the estimate");
        var first = await MomentAsync();

        // Four more sources say the base was taken: the estimate turns against the source.
        for (var i = 0; i < 4; i++)
        {
            await PostClaimsAsync(Claim(NewId("taken"), $"est{4 + i}_{run:N}"[..20], question, Taken, Day(3 + i)));
        }

        await api.Factory.WaitForQuietTruthAsync();
        var shownLater = await ScoreAsync(sourceId);
        var probabilityLater = await ProbabilityAsync(proposition, Repelled);
        Assert.True(probabilityLater < probabilityFirst - 0.05, $"the estimate moved ({probabilityFirst} → {probabilityLater})");
        Assert.True(Summary(shownLater, "score") < Summary(shownFirst, "score") - 0.01, $"the live score followed it: {shownFirst} → {shownLater}");
        var later = await MomentAsync();

        // Known at each moment, the score the live read gave then.
        AssertSameScore(shownFirst, await ScoreAsync(sourceId, $"knownAt={Stamp(first)}"));
        AssertSameScore(shownFirst, await ScoreAsync(sourceId, $"knownAt={Stamp(first)}&asOf={Stamp(first)}"));
        AssertSameScore(shownLater, await ScoreAsync(sourceId, $"knownAt={Stamp(later)}"));

        // The series as a chart drew it then: the same points, the last one on the estimate of then.
        var historyKnown = await ReadAsync($"/v1/sources/{sourceId}/history", $"knownAt={Stamp(first)}");
        var (pointsThen, pointsKnown) = (historyFirst.GetProperty("points"), historyKnown.GetProperty("points"));
        Assert.Equal(pointsThen.GetArrayLength(), pointsKnown.GetArrayLength());
        Assert.Equal(pointsThen[pointsThen.GetArrayLength() - 1].GetProperty("score").GetDouble(),
            pointsKnown[pointsKnown.GetArrayLength() - 1].GetProperty("score").GetDouble(), 1e-6);
        Assert.Equal(Summary(shownFirst, "score"), pointsKnown[pointsKnown.GetArrayLength() - 1].GetProperty("score").GetDouble(), 1e-6);

        // Each claim's contribution and probability as they were shown then.
        var explained = await Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/explanation?knownAt={Stamp(first)}");
        var contribution = explained.GetProperty("contributions").EnumerateArray().Single(c => c.GetProperty("claimId").GetString() == own);
        Assert.True(contribution.GetProperty("provisional").GetBoolean());
        var page = await ClaimPageAsync(sourceId, $"knownAt={Stamp(first)}");
        Assert.Equal(probabilityFirst, InPage(page, own).GetProperty("provisionalProbability").GetDouble());
        var pageLater = await ClaimPageAsync(sourceId, $"knownAt={Stamp(later)}");
        Assert.Equal(probabilityLater, InPage(pageLater, own).GetProperty("provisionalProbability").GetDouble());

        // As of an earlier moment the score was always from verdicts alone, then as now.
        var earlier = await ScoreAsync(sourceId, $"knownAt={Stamp(first)}&asOf={Stamp(DateTimeOffset.UtcNow.AddDays(-1))}");
        Assert.Equal(0, earlier.GetProperty("provisionalEvidence").GetDouble());
        var earlierPage = await ClaimPageAsync(sourceId, $"knownAt={Stamp(first)}&asOf={Stamp(DateTimeOffset.UtcNow.AddDays(-1))}");
        Assert.False(InPage(earlierPage, own).TryGetProperty("provisionalProbability", out var none) && none.ValueKind != JsonValueKind.Null);
    }
}
