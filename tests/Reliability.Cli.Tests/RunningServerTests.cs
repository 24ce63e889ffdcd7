using Npgsql;
using Reliability.Infrastructure.Database;
using Reliability.Testing;

namespace Reliability.Cli.Tests;

/// <summary>How `keys` finds the service's own server on a data directory instead of starting a second one.</summary>
public sealed class RunningServerTests : IDisposable
{
    private readonly TemporaryFolder _data = new("cli-data");

    public RunningServerTests() => Directory.CreateDirectory(Path.Combine(_data.Path, "postgres"));

    public void Dispose() => _data.Dispose();

    private void WritePidFile(int pid, int port) =>
        File.WriteAllLines(Path.Combine(_data.Path, "postgres", "postmaster.pid"),
            [pid.ToString(System.Globalization.CultureInfo.InvariantCulture), _data.Path, "1700000000", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "", "127.0.0.1"]);

    [Fact]
    public void A_live_server_is_attached_to_on_its_port_with_the_stored_password()
    {
        File.WriteAllText(Path.Combine(_data.Path, "postgres.password"), "s3cret\n");
        WritePidFile(Environment.ProcessId, 54321);

        var connection = new NpgsqlConnectionStringBuilder(EmbeddedPostgresServer.RunningServer(_data.Path));

        Assert.Equal(54321, connection.Port);
        Assert.Equal("s3cret", connection.Password);
        Assert.Equal(EmbeddedPostgresServer.DatabaseName, connection.Database);
    }

    [Fact]
    public void A_pid_file_left_by_a_dead_server_is_not_attached_to()
    {
        File.WriteAllText(Path.Combine(_data.Path, "postgres.password"), "s3cret");
        WritePidFile(int.MaxValue, 54321);

        Assert.Null(EmbeddedPostgresServer.RunningServer(_data.Path));
    }
}
