using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Reliability.Testing;
using Reliability.Infrastructure.Database;

namespace Reliability.Infrastructure.Tests;

public sealed class EmbeddedPostgresTests : IDisposable
{
    private readonly TemporaryFolder _folder = new("embedded");

    private string DataDirectory => _folder.Path;

    [Fact]
    public async Task Data_written_before_a_restart_is_there_after_it()
    {
        await using (var first = await EmbeddedPostgresServer.StartAsync(DataDirectory, NullLogger.Instance))
        {
            await ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (note text); INSERT INTO kept VALUES ('survives ✓ يبقى')");
        }

        await using var second = await EmbeddedPostgresServer.StartAsync(DataDirectory, NullLogger.Instance);
        await using var connection = new NpgsqlConnection(second.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand("SELECT note FROM kept", connection);
        Assert.Equal("survives ✓ يبقى", await read.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Text_compares_by_byte_and_letters_keep_their_unicode_case()
    {
        await using var server = await EmbeddedPostgresServer.StartAsync(DataDirectory, NullLogger.Instance);
        await using var connection = new NpgsqlConnection(server.ConnectionString);
        await connection.OpenAsync();
        await using var read = new NpgsqlCommand(
            "SELECT current_setting('lc_collate'), current_setting('lc_ctype'), lower('ÉCOLE ДОМ'), " +
            "(SELECT string_agg(w, ' ' ORDER BY w) FROM unnest(ARRAY['zulu', 'Émile', 'Zulu', 'émile', 'abc']) w)", connection);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("C", reader.GetString(0));
        Assert.Equal("C.UTF-8", reader.GetString(1));
        Assert.Equal("école дом", reader.GetString(2));
        // Code point order, as C.UTF-8 collated before: capitals first, accented letters after z.
        Assert.Equal("Zulu abc zulu Émile émile", reader.GetString(3));
    }

    [Fact]
    public async Task The_server_requires_its_password()
    {
        await using var server = await EmbeddedPostgresServer.StartAsync(DataDirectory, NullLogger.Instance);
        var wrong = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Password = "not-the-password" };
        await using var connection = new NpgsqlConnection(wrong.ConnectionString);
        await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(400)]
    [InlineData(1500)]
    [InlineData(3000)]
    public async Task A_start_cancelled_part_way_leaves_no_server_running_and_a_cluster_the_next_start_can_use(int millisecondsIntoTheStart)
    {
        // Which step each moment hits (initdb, pg_ctl start, the database's creation) depends on the machine.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(millisecondsIntoTheStart));
        try
        {
            await using var started = await EmbeddedPostgresServer.StartAsync(DataDirectory, NullLogger.Instance, cancellationToken: cancel.Token);
        }
        catch (OperationCanceledException)
        {
            // The point of the test: what it left behind is checked below.
        }

        Assert.False(RunningProcesses.AnyWithCommandLineContaining(DataDirectory));

        await using var server = await EmbeddedPostgresServer.StartAsync(DataDirectory, NullLogger.Instance);
        await ExecuteAsync(server.ConnectionString, "SELECT 1");
    }

    [Fact]
    public async Task An_empty_password_file_left_by_an_interrupted_start_is_replaced()
    {
        // What a start cancelled while it wrote the password leaves: the file, and nothing in it.
        Directory.CreateDirectory(DataDirectory);
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "postgres.password"), "");

        await using var server = await EmbeddedPostgresServer.StartAsync(DataDirectory, NullLogger.Instance);

        await ExecuteAsync(server.ConnectionString, "SELECT 1");
        Assert.NotEmpty(await File.ReadAllTextAsync(Path.Combine(DataDirectory, "postgres.password")));
    }

    [Fact]
    public void A_folder_without_server_programs_names_the_package_to_install()
    {
        var error = Assert.Throws<PostgresUnavailableException>(() => PostgresBinaries.Locate(DataDirectory));
        Assert.Contains("apt-get install -y postgresql", error.Message);
    }

    [Fact]
    public void Server_programs_are_found_on_this_machine()
    {
        var folder = PostgresBinaries.Locate();
        Assert.True(File.Exists(Path.Combine(folder, "initdb")), folder);
    }

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    public void Dispose() => _folder.Dispose();
}
