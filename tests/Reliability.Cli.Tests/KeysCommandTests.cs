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
