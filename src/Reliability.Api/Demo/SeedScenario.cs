using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Reliability.Api.Demo;

/// <summary>
/// The case the project grew from (28 September 2023, Mali), as API calls to replay one by one:
/// propositions, sources, claims, a deletion and reversal, and later resolutions.
/// </summary>
public sealed record ScenarioStep(string Step, string Method, string Path, JsonObject Body)
{
    public static IReadOnlyList<ScenarioStep> Load(string path) =>
        [.. File.ReadLines(path).Where(line => line.Trim().Length > 0).Select(Parse)];

    public static ScenarioStep Parse(string line) =>
        JsonSerializer.Deserialize<ScenarioStep>(line, JsonSerializerOptions.Web)
            ?? throw new InvalidDataException("Empty scenario line.");

    /// <summary>The file shipped beside the service.</summary>
    public static string SeedCasePath => System.IO.Path.Combine(AppContext.BaseDirectory, "Demo", "seed-case.jsonl");

    /// <summary>The ids of the claims this step records: a batch's items, a reversal's replacement.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> ClaimIds =>
    [
        .. (Body["claims"] as JsonArray ?? []).Select(claim => claim?["id"]?.GetValue<string>()).OfType<string>(),
        .. Body["replacement"]?["id"]?.GetValue<string>() is { } replacement ? [replacement] : Array.Empty<string>(),
    ];

    /// <summary>
    /// Whether a resolution step is already the proposition's latest revision, with the same option
    /// and note. Every other step is idempotent and can simply be sent again.
    /// </summary>
    public async Task<bool> IsRecordedAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        if (Method != "PUT" || !Path.EndsWith("/resolution", StringComparison.Ordinal))
        {
            return false;
        }

        var revisions = await client.GetFromJsonAsync<JsonArray>(Path + "s", cancellationToken) ?? [];
        return revisions.LastOrDefault() is { } latest
            && latest["option"]?.GetValue<string>() == Body["option"]?.GetValue<string>()
            && latest["note"]?.GetValue<string>() == Body["note"]?.GetValue<string>();
    }

    /// <summary>Sends the step; a step the API refuses stops the replay with the API's answer.</summary>
    public async Task<JsonNode?> SendAsync(HttpClient client, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(new HttpMethod(Method), Path) { Content = JsonContent.Create(Body) };
        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Scenario step '{Step}' ({Method} {Path}) answered {(int)response.StatusCode}: {text}");
        }

        var answer = JsonNode.Parse(text);
        if (answer?["rejected"]?.GetValue<int>() is > 0)
        {
            throw new InvalidOperationException($"Scenario step '{Step}' had rejected claims: {text}");
        }

        return answer;
    }
}
