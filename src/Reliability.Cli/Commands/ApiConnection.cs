using System.CommandLine;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Reliability.Cli.Commands;

/// <summary>The running service a command talks to: --api and --key, defaulting to the environment.</summary>
internal sealed class ApiConnection
{
    public Option<string> Api { get; } = new("--api")
    {
        Description = "The service's URL (default: env RELIABILITY_API_URL, else http://localhost:5000).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("RELIABILITY_API_URL") ?? "http://localhost:5000",
    };

    public Option<string?> Key { get; } = new("--key")
    {
        Description = "An API key with the role the command needs (default: env RELIABILITY_API_KEY).",
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Api);
        command.Options.Add(Key);
    }

    public HttpClient Client(ParseResult parse)
    {
        var key = parse.GetValue(Key) ?? Environment.GetEnvironmentVariable("RELIABILITY_API_KEY");
        if (string.IsNullOrWhiteSpace(key))
        {
            throw new CommandFailedException("An API key is required: --key or env RELIABILITY_API_KEY.");
        }

        if (!Uri.TryCreate(parse.GetRequiredValue(Api), UriKind.Absolute, out var api))
        {
            throw new CommandFailedException("--api must be an absolute URL.");
        }

        var client = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>The service's problem+json, as one line: title, detail and field errors.</summary>
    public static async Task<CommandFailedException> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        try
        {
            var problem = JsonDocument.Parse(text).RootElement;
            var parts = new List<string> { $"{(int)response.StatusCode} {Field(problem, "title")}" };
            if (Field(problem, "detail") is { Length: > 0 } detail)
            {
                parts.Add(detail);
            }

            if (problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object)
            {
                parts.AddRange(errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(" ", e.Value.EnumerateArray().Select(m => m.GetString()))}"));
            }

            return new CommandFailedException(string.Join("; ", parts));
        }
        catch (JsonException)
        {
            return new CommandFailedException($"{(int)response.StatusCode} {response.ReasonPhrase}");
        }
    }

    private static string? Field(JsonElement problem, string name) =>
        problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
