using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Reliability.Api.Demo;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>
/// The case the project grew from, replayed through the API: the tracker must judge it the way a
/// newsroom would.
/// </summary>
public sealed class SeedCaseTests(SeedCaseTests.Replays replays) : IClassFixture<SeedCaseTests.Replays>
{
    private const string ArmyVersionTweet = "https://x.com/EternalGlory0/status/1707360000000000001";
    private const string ReversalTweet = "https://x.com/EternalGlory0/status/1707420000000000002";

    /// <summary>The seed case as recorded, and two variants of it, each on a record of its own.</summary>
    public sealed class Replays : IAsyncLifetime
    {
        private readonly List<ReliabilityApiFactory> _factories = [];

        public Replay Recorded { get; private set; } = null!;
        public Replay SilentDeletion { get; private set; } = null!;
        public Replay IndependentRelays { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            var steps = ScenarioStep.Load(ScenarioStep.SeedCasePath);
            Recorded = await ReplayAsync("seedcase", steps);
            SilentDeletion = await ReplayAsync("seedsilent", WithSilentDeletion(steps));
            IndependentRelays = await ReplayAsync("seedrelays", WithRelaysAsIndependentClaims(steps));
        }

        public async Task DisposeAsync()
        {
            foreach (var factory in _factories)
            {
                await factory.DisposeAsync();
            }
        }

        private async Task<Replay> ReplayAsync(string purpose, IReadOnlyList<ScenarioStep> steps)
        {
            var factory = await ReliabilityApiFactory.StartAsync(purpose);
            _factories.Add(factory);
            var client = await factory.CreateClientAsync(ApiKeyRole.Editor);
            var resolutions = steps.Where(s => s.Step.StartsWith("resolution:", StringComparison.Ordinal)).ToList();
            foreach (var step in steps.Except(resolutions))
            {
                await step.SendAsync(client);
            }

            await factory.WaitForQuietTruthAsync();
            var beforeResolution = await client.GetFromJsonAsync<JsonElement>("/v1/propositions/acharane-base");
            foreach (var step in resolutions)
            {
                await step.SendAsync(client);
            }

            return new Replay(client, beforeResolution);
        }

        /// <summary>The same history, but @EternalGlory0's tweet vanishes without a word instead of being reversed.</summary>
        private static List<ScenarioStep> WithSilentDeletion(IReadOnlyList<ScenarioStep> steps) =>
        [
            .. steps.Select(s => s.Step switch
            {
                "eternal-glory-deletes" => s with
                {
                    Body = new JsonObject { ["kind"] = "deleted", ["deletion"] = "observed", ["at"] = "2023-09-28T18:00:00Z" },
                },
                _ => s,
            }).Where(s => s.Step != "eternal-glory-reverses"),
        ];

        /// <summary>The same history, but the relays of the army statement posing as independent, asserted claims.</summary>
        private static List<ScenarioStep> WithRelaysAsIndependentClaims(IReadOnlyList<ScenarioStep> steps) =>
        [
            .. steps.Select(s =>
            {
                if (s.Body["claims"] is not JsonArray claims)
                {
                    return s;
                }

                var copy = (JsonObject)s.Body.DeepClone();
                foreach (var claim in ((JsonArray)copy["claims"]!).OfType<JsonObject>()
                    .Where(c => c["relayOf"]?.GetValue<string>() == "fama-acharane"))
                {
                    claim.Remove("relayOf");
                    claim.Remove("hedge");
                }

                return s with { Body = copy };
            }),
        ];
    }

    public sealed record Replay(HttpClient Client, JsonElement AcharaneBeforeResolution);

    private static async Task<double> ScoreAsync(Replay replay, string sourceId, string? asOf = null) =>
        (await replay.Client.GetFromJsonAsync<JsonElement>($"/v1/sources/{sourceId}/score" + (asOf is null ? "" : $"?asOf={asOf}")))
            .GetProperty("summary").GetProperty("score").GetDouble();

    [Fact]
    public async Task The_armys_score_drops_after_the_Timbuktu_area_resolution()
    {
        var before = await ScoreAsync(replays.Recorded, "fama", "2023-10-01T00:00:00Z");
        var after = await ScoreAsync(replays.Recorded, "fama", "2023-10-03T00:00:00Z");
        Assert.True(after < before, $"army {before} -> {after}");
    }

    [Fact]
    public async Task War_noirs_score_rises()
    {
        var before = await ScoreAsync(replays.Recorded, "war-noir", "2023-10-01T00:00:00Z");
        var after = await ScoreAsync(replays.Recorded, "war-noir", "2023-10-03T00:00:00Z");
        Assert.True(after > before, $"war_noir {before} -> {after}");
    }

    [Fact]
    public async Task A_transparent_reversal_scores_above_the_same_tweet_deleted_silently()
    {
        var reversed = await ScoreAsync(replays.Recorded, "eternal-glory");
        var silent = await ScoreAsync(replays.SilentDeletion, "eternal-glory");
        Assert.True(reversed > silent, $"reversed {reversed} vs silently deleted {silent}");
        var metrics = await replays.SilentDeletion.Client.GetFromJsonAsync<JsonElement>("/v1/sources/eternal-glory/score");
        Assert.Equal(1, metrics.GetProperty("corrections").GetProperty("silentDeletions").GetInt32());
    }

    [Fact]
    public void Relays_of_the_army_statement_are_not_independent_confirmation()
    {
        static double Army(JsonElement proposition) => proposition.GetProperty("provisionalProbabilities").EnumerateArray()
            .Single(p => p.GetProperty("option").GetString() == "The army repelled the attack").GetProperty("probability").GetDouble();

        var asRelays = Army(replays.Recorded.AcharaneBeforeResolution);
        var asIndependent = Army(replays.IndependentRelays.AcharaneBeforeResolution);
        Assert.True(asRelays < asIndependent, $"relays {asRelays} vs posing as independent {asIndependent}");
    }

    [Fact]
    public async Task The_deleted_tweet_reads_deleted_and_links_to_the_reversal()
    {
        var response = await replays.Recorded.Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { ArmyVersionTweet, ReversalTweet } });
        var items = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items");

        Assert.Equal("deleted", items[0].GetProperty("claimStatus").GetString());
        Assert.Equal(ReversalTweet, items[0].GetProperty("claims")[0].GetProperty("replacement").GetProperty("url").GetString());
        Assert.Equal("confirmed", items[1].GetProperty("claimStatus").GetString());
        Assert.Equal("eternal-glory", items[0].GetProperty("source").GetProperty("id").GetString());
    }

    [Fact]
    public async Task The_score_as_of_28_September_differs_from_todays_and_both_are_reproducible()
    {
        const string publication = "2023-09-28T23:59:59Z";
        var then = await ScoreAsync(replays.Recorded, "fama", publication);
        var thenAgain = await ScoreAsync(replays.Recorded, "fama", publication);
        var now = await ScoreAsync(replays.Recorded, "fama");
        var nowAgain = await ScoreAsync(replays.Recorded, "fama");

        Assert.Equal(then, thenAgain);
        Assert.Equal(now, nowAgain);
        Assert.NotEqual(then, now);
    }

    [Fact]
    public async Task Open_propositions_show_provisional_probabilities_labelled_provisional()
    {
        var dioura = await replays.Recorded.Client.GetFromJsonAsync<JsonElement>("/v1/propositions/dioura-camp");
        Assert.Equal("contested", dioura.GetProperty("state").GetString());
        var probabilities = dioura.GetProperty("provisionalProbabilities").EnumerateArray().Select(p => p.GetProperty("probability").GetDouble()).ToList();
        Assert.Equal(2, probabilities.Count);
        Assert.Equal(1.0, probabilities.Sum(), 6);

        var response = await replays.Recorded.Client.PostAsJsonAsync("/v1/lookup", new { urls = new[] { "https://x.com/cma_spokesman/status/1707380000000000001" } });
        var claim = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("items")[0].GetProperty("claims")[0];
        Assert.Equal("open", claim.GetProperty("status").GetString());
        Assert.True(claim.GetProperty("provisional").GetBoolean());
        Assert.InRange(claim.GetProperty("provisionalProbability").GetDouble(), 0.0, 1.0);
    }
}
