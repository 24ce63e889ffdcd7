using System.CommandLine;
using System.Text.Json;

namespace Reliability.Cli.Commands;

/// <summary>`reliability rescore --policy NAME`: asks the running service to recompute every source's score (admin key).</summary>
public static class RescoreCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy") { Description = "The scoring policy, e.g. beta-v2.", Required = true };
        var api = new ApiConnection();
        var command = new Command("rescore", "Recompute every source's live score under a scoring policy.") { policy };
        api.AddTo(command);
        command.SetAction((parse, cancellationToken) => CommandErrors.GuardAsync(parse, async () =>
        {
            using var client = api.Client(parse);
            using var response = await client.PostAsync("/v1/admin/rescore",
                new StringContent(JsonSerializer.Serialize(new { policy = parse.GetRequiredValue(policy) }), System.Text.Encoding.UTF8, "application/json"),
                cancellationToken);
            if (!response.IsSuccessStatusCode)
            {
                throw await ApiConnection.FailureAsync(response, cancellationToken);
            }

            var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken)).RootElement;
            await parse.InvocationConfiguration.Output.WriteLineAsync(
                $"{result.GetProperty("policy").GetString()}: {result.GetProperty("sources").GetInt32()} sources rescored, {result.GetProperty("changed").GetInt32()} changed");
        }));
        return command;
    }
}
