using System.CommandLine;
using System.Globalization;
using Reliability.Infrastructure.Security;

namespace Reliability.Cli.Commands;

/// <summary>`reliability keys create|list|revoke`: API keys, managed on the database directly (no key needed).</summary>
public static class KeysCommand
{
    public static Command Create()
    {
        var command = new Command("keys", "Create, list and revoke API keys, directly in the database.");
        command.Subcommands.Add(CreateKey());
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command CreateKey()
    {
        var name = new Option<string>("--name") { Description = "Who or what the key is for.", Required = true };
        var role = new Option<ApiKeyRole>("--role") { Description = "reader, contributor, editor or admin.", Required = true };
        var command = new Command("create", "Create a key; its secret is printed once and cannot be shown again.") { name, role };
        return WithDatabase(command, async (parse, store, cancellationToken) =>
        {
            var keyName = parse.GetRequiredValue(name).Trim();
            if (keyName.Length is 0 or > 200)
            {
                throw new CommandFailedException("A name of 1 to 200 characters is required.");
            }

            var (key, secret) = await store.CreateAsync(keyName, parse.GetValue(role), cancellationToken);
            var output = parse.InvocationConfiguration.Output;
            await output.WriteLineAsync($"{key.Id}\t{key.Name}\t{Word(key.Role)}");
            await output.WriteLineAsync(secret);
        });
    }

    private static Command List()
    {
        var command = new Command("list", "List keys (id, name, role, secret prefix, created, revoked); secrets are never stored.");
        return WithDatabase(command, async (parse, store, cancellationToken) =>
        {
            foreach (var key in await store.ListAsync(cancellationToken))
            {
                await parse.InvocationConfiguration.Output.WriteLineAsync(string.Join('\t',
                    key.Id, key.Name, Word(key.Role), key.Prefix, Time(key.CreatedAt), key.RevokedAt is { } at ? Time(at) : "active"));
            }
        });
    }

    private static Command Revoke()
    {
        var id = new Argument<string>("id") { Description = "The key's id, as `keys list` shows it." };
        var command = new Command("revoke", "Revoke a key; the service refuses it from then on.") { id };
        return WithDatabase(command, async (parse, store, cancellationToken) =>
        {
            var keyId = parse.GetRequiredValue(id);
            if (await store.RevokeAsync(keyId, cancellationToken) is not { } revoked)
            {
                throw new CommandFailedException($"No API key has the id '{keyId}'.");
            }

            await parse.InvocationConfiguration.Output.WriteLineAsync($"{revoked.Id}\trevoked {Time(revoked.RevokedAt!.Value)}");
        });
    }

    private static Command WithDatabase(Command command, Func<ParseResult, ApiKeyStore, CancellationToken, Task> action)
    {
        var connection = new Option<string?>("--connection")
        {
            Description = "PostgreSQL connection string (default: env ConnectionStrings__Reliability, else the data directory's server).",
        };
        var dataDirectory = new Option<string>("--data-dir")
        {
            Description = "The service's data directory, whose embedded server is used.",
            DefaultValueFactory = _ => "data",
        };
        command.Options.Add(connection);
        command.Options.Add(dataDirectory);
        command.SetAction((parse, cancellationToken) => CommandErrors.GuardAsync(parse, async () =>
        {
            await using var database = await CliDatabase.OpenAsync(parse.GetValue(connection), parse.GetRequiredValue(dataDirectory), cancellationToken);
            await action(parse, new ApiKeyStore(database.Store, TimeProvider.System), cancellationToken);
        }));
        return command;
    }

    private static string Word(ApiKeyRole role) => role.ToString().ToLowerInvariant();

    private static string Time(DateTimeOffset at) => at.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture);
}
