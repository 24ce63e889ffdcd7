using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Reliability.Infrastructure.Database;

/// <summary>
/// A private PostgreSQL cluster run from the machine's server binaries, so the service works with
/// no database set up. Its data lives in a folder of the user's and survives restarts.
/// </summary>
public sealed partial class EmbeddedPostgresServer : IAsyncDisposable
{
    public const string DatabaseName = "reliability";
    private const string SuperUser = "reliability";

    private readonly string _binDirectory;
    private readonly string _clusterDirectory;
    private readonly string? _runAsUser;
    private readonly ILogger _logger;
    private int _stopped;
    private int _port;

    private EmbeddedPostgresServer(string binDirectory, string clusterDirectory, string? runAsUser, ILogger logger)
    {
        _binDirectory = binDirectory;
        _clusterDirectory = clusterDirectory;
        _runAsUser = runAsUser;
        _logger = logger;
    }

    public string ConnectionString { get; private set; } = "";

    public string ClusterDirectory => _clusterDirectory;

    /// <summary>
    /// The connection string of a server already running on <paramref name="dataDirectory"/> (the
    /// service's, say), or null. postmaster.pid holds the server's pid on line 1 and its port on line 4.
    /// </summary>
    public static string? RunningServer(string dataDirectory)
    {
        var root = Path.GetFullPath(dataDirectory);
        var pidFile = Path.Combine(root, "postgres", "postmaster.pid");
        var passwordFile = Path.Combine(root, "postgres.password");
        if (!File.Exists(pidFile) || !File.Exists(passwordFile))
        {
            return null;
        }

        var lines = File.ReadAllLines(pidFile);
        if (lines.Length < 4 || !int.TryParse(lines[0], out var pid) || !int.TryParse(lines[3], out var port) || !IsAlive(pid))
        {
            return null;
        }

        return new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = SuperUser,
            Password = File.ReadAllText(passwordFile).Trim(),
            Database = DatabaseName,
        }.ConnectionString;
    }

    /// <summary>Whether a process with this id is running (a server's, per its pid file).</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Initialises the cluster under <paramref name="dataDirectory"/> on first use, then starts it.</summary>
    public static async Task<EmbeddedPostgresServer> StartAsync(
        string dataDirectory, ILogger logger, string? binDirectory = null, CancellationToken cancellationToken = default)
    {
        var bin = PostgresBinaries.Locate(binDirectory);
        var root = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(root);
        var server = new EmbeddedPostgresServer(bin, Path.Combine(root, "postgres"), UnprivilegedUserIfRoot(), logger);
        try
        {
            await server.StartAsync(Path.Combine(root, "postgres.password"), cancellationToken);
        }
        catch
        {
            // A start that failed or was cancelled after pg_ctl launched the server must not leave it running.
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private async Task StartAsync(string passwordFile, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(_clusterDirectory, "PG_VERSION")))
        {
            await InitialiseAsync(passwordFile, cancellationToken);
        }

        var password = (await File.ReadAllTextAsync(passwordFile, cancellationToken)).Trim();
        await StopLeftoverServerAsync(cancellationToken);

        _port = LoopbackPorts.Free();
        await StartServerAsync(cancellationToken);

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = _port,
            Username = SuperUser,
            Password = password,
            Database = "postgres",
        };
        await EnsureDatabaseAsync(builder.ConnectionString, DatabaseName, cancellationToken);
        builder.Database = DatabaseName;
        ConnectionString = builder.ConnectionString;
        LogStarted(_logger, _clusterDirectory, _port);
    }

    private async Task StartServerAsync(CancellationToken cancellationToken)
    {
        // No Unix socket: the folder it needs may not be writable by the server's user, and TCP on
        // loopback is all the service uses.
        await RunAsync("pg_ctl", cancellationToken,
            "-D", _clusterDirectory, "-l", Path.Combine(_clusterDirectory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200",
            "start");
    }

    /// <summary>
    /// Stops the server the way an operator does (fast shutdown: clients are disconnected) but keeps
    /// its cluster, port and password, so <see cref="ResumeAsync"/> brings back the same server.
    /// </summary>
    public Task HaltAsync(CancellationToken cancellationToken = default) =>
        RunAsync("pg_ctl", cancellationToken, "-D", _clusterDirectory, "-m", "fast", "-w", "stop");

    /// <summary>Starts a halted server again on the port its connection string names.</summary>
    public Task ResumeAsync(CancellationToken cancellationToken = default) => StartServerAsync(cancellationToken);

    /// <summary>Creates a database on this server (tests use one per fixture) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        await EnsureDatabaseAsync(ConnectionString, name, cancellationToken);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public static async Task EnsureDatabaseAsync(string connectionString, string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = @name", connection);
        exists.Parameters.AddWithValue("name", name);
        if (await exists.ExecuteScalarAsync(cancellationToken) is null)
        {
            // Identifiers cannot be parameters; the quoting below makes any name safe.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task InitialiseAsync(string passwordFile, CancellationToken cancellationToken)
    {
        LogInitialising(_logger, _clusterDirectory);
        Directory.CreateDirectory(_clusterDirectory);
        // No cluster yet, so no password is in use: an empty file, left by a start interrupted while it
        // wrote one, is replaced. The file appears whole or not at all (written aside, then moved), and
        // is not cancelled half way.
        if (!File.Exists(passwordFile) || new FileInfo(passwordFile).Length == 0)
        {
            var written = passwordFile + ".new";
            await File.WriteAllTextAsync(written, Convert.ToHexString(RandomNumberGenerator.GetBytes(24)), CancellationToken.None);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(written, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            File.Move(written, passwordFile, overwrite: true);
        }

        if (_runAsUser is not null)
        {
            await RunProcessAsync("chown", cancellationToken, "-R", $"{_runAsUser}:", _clusterDirectory);
        }

        // Text compares by byte: with the C.UTF-8 collation PostgreSQL 15 calls the C library for every
        // comparison of text keys in an index (a claim's ids, keys and URLs), for the same order, since
        // C.UTF-8 collates by code point, as bytes of UTF-8 do. Character classes stay Unicode's
        // (lower(), case-insensitive search of names in any script).
        await RunAsync("initdb", cancellationToken,
            "-D", _clusterDirectory, "-U", SuperUser, "--pwfile", passwordFile,
            "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--lc-collate=C");
    }

    /// <summary>A crash of the service leaves its server running; stop it so this start owns the cluster.</summary>
    private async Task StopLeftoverServerAsync(CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(_clusterDirectory, "postmaster.pid")))
        {
            return;
        }

        var status = await RunUncheckedAsync("pg_ctl", cancellationToken, "-D", _clusterDirectory, "status");
        if (status.ExitCode == 0)
        {
            LogStoppingLeftover(_logger, _clusterDirectory);
            await RunAsync("pg_ctl", cancellationToken, "-D", _clusterDirectory, "-m", "fast", "-w", "stop");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await RunUncheckedAsync("pg_ctl", CancellationToken.None, "-D", _clusterDirectory, "-m", "fast", "-w", "stop");
        LogStopped(_logger, _clusterDirectory);
    }

    private async Task RunAsync(string program, CancellationToken cancellationToken, params string[] arguments)
    {
        EnsureSucceeded(program, await RunUncheckedAsync(program, cancellationToken, arguments));
    }

    private Task<ProcessResult> RunUncheckedAsync(string program, CancellationToken cancellationToken, params string[] arguments)
    {
        var executable = Path.Combine(_binDirectory, program);
        if (_runAsUser is null)
        {
            return RunProcessUncheckedAsync(executable, cancellationToken, arguments);
        }

        // initdb and postgres refuse to run as root. Run them as an unprivileged user that keeps the
        // right to traverse folders (the data folder may sit under a home directory only root can enter).
        string[] asUser =
        [
            $"--reuid={_runAsUser}", $"--regid={_runAsUser}", "--init-groups",
            "--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search", "--", executable,
        ];
        return RunProcessUncheckedAsync("setpriv", cancellationToken, [.. asUser, .. arguments]);
    }

    private static async Task RunProcessAsync(string program, CancellationToken cancellationToken, params string[] arguments)
    {
        EnsureSucceeded(program, await RunProcessUncheckedAsync(program, cancellationToken, arguments));
    }

    private static void EnsureSucceeded(string program, ProcessResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new PostgresUnavailableException($"{program} failed with exit code {result.ExitCode}: {result.Output.Trim()}");
        }
    }

    private static async Task<ProcessResult> RunProcessUncheckedAsync(
        string program, CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // pg_ctl's server inherits our environment; a fixed locale keeps its messages readable in logs.
        start.Environment["LC_MESSAGES"] = "C";
        using var process = Process.Start(start)
            ?? throw new PostgresUnavailableException($"Could not start {program}.");
        // pg_ctl points the server's own output at its log file, so these pipes close when pg_ctl exits.
        // Cancellation waits for the program to finish (each is bounded: pg_ctl by its -t): an initdb
        // killed half way leaves a cluster no later start can use, and a pg_ctl start killed while it
        // waits leaves a server that a stop issued before its pid file exists would miss.
        var output = await Task.WhenAll(
            process.StandardOutput.ReadToEndAsync(CancellationToken.None),
            process.StandardError.ReadToEndAsync(CancellationToken.None));
        await process.WaitForExitAsync(CancellationToken.None);
        cancellationToken.ThrowIfCancellationRequested();
        return new ProcessResult(process.ExitCode, string.Concat(output));
    }

    private static string? UnprivilegedUserIfRoot()
    {
        // Environment.UserName resolves the effective user id on Unix.
        if (OperatingSystem.IsWindows() || Environment.UserName != "root")
        {
            return null;
        }

        var users = File.Exists("/etc/passwd")
            ? File.ReadLines("/etc/passwd").Select(line => line.Split(':')[0]).ToHashSet()
            : [];
        return users.Contains("postgres") ? "postgres" : "nobody";
    }

    private sealed record ProcessResult(int ExitCode, string Output);

    [LoggerMessage(LogLevel.Information, "Creating the embedded PostgreSQL cluster in {Directory}")]
    private static partial void LogInitialising(ILogger logger, string directory);

    [LoggerMessage(LogLevel.Information,
        "Embedded PostgreSQL serving data from {Directory} on 127.0.0.1:{Port}. To use an external server instead, set ConnectionStrings:Reliability (env ConnectionStrings__Reliability).")]
    private static partial void LogStarted(ILogger logger, string directory, int port);

    [LoggerMessage(LogLevel.Warning, "Stopping a PostgreSQL server left running on {Directory} by an earlier run")]
    private static partial void LogStoppingLeftover(ILogger logger, string directory);

    [LoggerMessage(LogLevel.Information, "Embedded PostgreSQL on {Directory} stopped")]
    private static partial void LogStopped(ILogger logger, string directory);
}
