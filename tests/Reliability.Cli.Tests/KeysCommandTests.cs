using Npgsql;
using Reliability.Testing;

namespace Reliability.Cli.Tests;

/// <summary>`reliability keys` against a real PostgreSQL database.</summary>
public sealed class KeysCommandTests
{
    [Fact]
    public async Task A_key_is_created_listed_and_revoked()
    {
        var connection = await TestDatabase.CreateAsync("cli_keys");

        var created = await CliRunner.RunAsync("keys", "create", "--name", "night desk", "--role", "editor", "--connection", connection);

        Assert.True(created.ExitCode == 0, created.Error);
        var lines = created.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var fields = lines[0].Split('\t');
        var (id, secret) = (fields[0], lines[1].Trim());
        Assert.Equal(["night desk", "editor"], fields[1..]);
        Assert.True(secret.Length >= 32, secret);

        var listed = await CliRunner.RunAsync("keys", "list", "--connection", connection);
        var row = Assert.Single(listed.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith(id, StringComparison.Ordinal));
        Assert.EndsWith("active", row.Trim());
        Assert.DoesNotContain(secret, listed.Output);

        var revoked = await CliRunner.RunAsync("keys", "revoke", id, "--connection", connection);
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        var after = await CliRunner.RunAsync("keys", "list", "--connection", connection);
        Assert.DoesNotContain(after.Output.Split('\n'), l => l.StartsWith(id, StringComparison.Ordinal) && l.Trim().EndsWith("active", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Creating_and_revoking_a_key_tells_every_listening_node_its_id()
    {
        var connection = await TestDatabase.CreateAsync("cli_keys_notices");
        // What each node of the service listens on, so a key revoked here is refused there at once.
        await using var listening = new NpgsqlConnection(connection);
        await listening.OpenAsync();
        var heard = new List<string>();
        listening.Notification += (_, e) => heard.Add(e.Payload);
        await using (var listen = new NpgsqlCommand("listen reliability_api_keys", listening))
        {
            await listen.ExecuteNonQueryAsync();
        }

        var created = await CliRunner.RunAsync("keys", "create", "--name", "wire desk", "--role", "reader", "--connection", connection);
        Assert.True(created.ExitCode == 0, created.Error);
        var id = created.Output.Split('\t')[0];
        await HearAsync(1);
        var revoked = await CliRunner.RunAsync("keys", "revoke", id, "--connection", connection);
        Assert.True(revoked.ExitCode == 0, revoked.Error);
        await HearAsync(2);

        Assert.Equal(new[] { id, id }, heard);

        async Task HearAsync(int count)
        {
            // A guard against a hang: a notice is delivered as its transaction commits.
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (heard.Count < count)
            {
                await listening.WaitAsync(guard.Token);
            }
        }
    }

    [Fact]
    public async Task Revoking_an_unknown_key_fails_with_one_line()
    {
        var connection = await TestDatabase.CreateAsync("cli_keys_unknown");

        var result = await CliRunner.RunAsync("keys", "revoke", "no-such-key", "--connection", connection);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no-such-key", result.Error);
    }

    [Fact]
    public async Task An_unknown_role_is_refused_before_touching_the_database()
    {
        var result = await CliRunner.RunAsync("keys", "create", "--name", "x", "--role", "overlord", "--connection", "Host=127.0.0.1;Port=1");

        Assert.NotEqual(0, result.ExitCode);
    }
}
