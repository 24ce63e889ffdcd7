using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Reliability.Infrastructure;
using Reliability.Infrastructure.Database;
using Reliability.Infrastructure.Security;

namespace Reliability.Cli.Bench;

/// <summary>
/// The service under test as a user runs it: the API host in its own process, listening on loopback,
/// on a throwaway PostgreSQL cluster that the baselines use too. Everything is removed on dispose.
/// </summary>
internal sealed class BenchService : IAsyncDisposable
{
    private readonly string _folder;
    private readonly EmbeddedPostgresServer _postgres;
    private readonly string _adminKey = ApiKeySecret.Generate();
    private readonly Queue<string> _lastLines = new();

    // Set when the run is cancelled (Ctrl+C): the service is then killed, not stopped gracefully,
    // so PostgreSQL is stopped and the folder removed before the process is made to exit.
    private CancellationToken _run;
    private Process? _process;

    private BenchService(string folder, EmbeddedPostgresServer postgres, string serviceDatabase, string baselineDatabase)
    {
        _folder = folder;
        _postgres = postgres;
        ServiceDatabase = serviceDatabase;
        BaselineDatabase = baselineDatabase;
    }

    /// <summary>The service's own database.</summary>
    public string ServiceDatabase { get; }

    /// <summary>A second database on the same server, for the raw Npgsql baselines.</summary>
    public string BaselineDatabase { get; }

    public Uri Address { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The service's process: its memory is what the memory figures report.</summary>
    public Process Process => _process ?? throw new InvalidOperationException("The service is not running.");

    public static async Task<BenchService> StartAsync(CancellationToken cancellationToken)
    {
        // The temp folder is traversable by the unprivileged user PostgreSQL runs as when we run as root.
        var folder = Path.Combine(Path.GetTempPath(), $"reliability-bench-{Environment.ProcessId}-{Guid.NewGuid():N}");
        EmbeddedPostgresServer? postgres = null;
        BenchService? service = null;
        try
        {
            postgres = await EmbeddedPostgresServer.StartAsync(folder, NullLogger.Instance, cancellationToken: cancellationToken);
            var baseline = await postgres.CreateDatabaseAsync("bench_baseline", cancellationToken);
            service = new BenchService(folder, postgres, postgres.ConnectionString, baseline) { _run = cancellationToken };
            await service.StartServiceAsync(cancellationToken);
            return service;
        }
        catch
        {
            // A run that failed or was cancelled at any point of its start leaves nothing behind:
            // not its service, not its PostgreSQL, not its folder.
            if (service is not null)
            {
                await service.DisposeAsync();
            }
            else
            {
                if (postgres is not null)
                {
                    await postgres.DisposeAsync();
                }

                DeleteFolder(folder);
            }

            throw;
        }
    }

    public HttpClient Client(int connections, TimeSpan? timeout = null)
    {
        var handler = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        var client = new HttpClient(handler) { BaseAddress = Address, Timeout = timeout ?? TimeSpan.FromMinutes(10) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _adminKey);
        return client;
    }

    /// <summary>Stops the service gracefully (grains deactivate and store their snapshots) and starts it again: every grain is cold.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await StopServiceAsync();
        await StartServiceAsync(cancellationToken);
    }

    /// <summary>
    /// Ports are picked free and released before the service binds them, so another process on the
    /// machine (a test's PostgreSQL or silo, say) can take one in between; only that collision is
    /// tried again, on fresh ports.
    /// </summary>
    private async Task StartServiceAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StartServiceOnceAsync(cancellationToken);
                return;
            }
            catch (InvalidOperationException failed) when (attempt < 3 && failed.Message.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await StopServiceAsync();
            }
        }
    }

    private async Task StartServiceOnceAsync(CancellationToken cancellationToken)
    {
        var ports = LoopbackPorts.Free(3);
        Address = new Uri($"http://127.0.0.1:{ports[0]}/");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Reliability.Api.dll"));
        string[] options =
        [
            "--urls", Address.GetLeftPart(UriPartial.Authority),
            $"--Reliability:Orleans:SiloPort={ports[1]}",
            $"--Reliability:Orleans:GatewayPort={ports[2]}",
            $"--Reliability:BootstrapAdminKey={_adminKey}",
            // The load is the point: the per-key limit would measure the limiter instead.
            "--Reliability:Security:RequestsPerSecondPerKey=1000000",
            "--Reliability:Demo:LoadSeedCase=false",
            "--Reliability:Demo:Page=false",
            // Console logging of every request would be measured too.
            "--Logging:LogLevel:Default=Warning",
        ];
        foreach (var option in options)
        {
            start.ArgumentList.Add(option);
        }

        start.Environment["ConnectionStrings__Reliability"] = ServiceDatabase;
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        process.OutputDataReceived += (_, line) => Keep(line.Data);
        process.ErrorDataReceived += (_, line) => Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        using var probe = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(3))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                break;
            }

            try
            {
                if ((await probe.GetAsync("health/ready", cancellationToken)).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A probe that timed out while the host was busy starting.
            }

            await Task.Delay(250, cancellationToken);
        }

        throw new InvalidOperationException($"The service did not start:\n{string.Join('\n', LastLines())}");
    }

    /// <summary>Raw rows of a stream as the service stores them, for the cold-activation baseline.</summary>
    public async Task<int> ReadStreamRowsAsync(string streamId, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ServiceDatabase);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand(
            "select seq_id, id, version, data, type, timestamp, mt_dotnet_type from reliability.mt_events where stream_id = $1 order by version",
            connection);
        command.Parameters.Add(new NpgsqlParameter { Value = streamId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = 0;
        while (await reader.ReadAsync(cancellationToken))
        {
            // Materialise every column, as an event store read must.
            _ = reader.GetInt64(0);
            _ = reader.GetGuid(1);
            _ = reader.GetInt64(2);
            _ = reader.GetString(3);
            _ = reader.GetString(4);
            _ = reader.GetFieldValue<DateTimeOffset>(5);
            _ = reader.IsDBNull(6) ? null : reader.GetString(6);
            rows++;
        }

        return rows;
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_lastLines)
        {
            _lastLines.Enqueue(line);
            if (_lastLines.Count > 40)
            {
                _lastLines.Dequeue();
            }
        }
    }

    /// <summary>The service's last lines of output, for a report of what went wrong.</summary>
    public string RecentOutput() => string.Join('\n', LastLines());

    private string[] LastLines()
    {
        lock (_lastLines)
        {
            return [.. _lastLines];
        }
    }

    private async Task StopServiceAsync()
    {
        if (_process is not { } process)
        {
            return;
        }

        _process = null;
        try
        {
            if (!process.HasExited && !_run.IsCancellationRequested)
            {
                // SIGTERM, as a service manager stops it: the host shuts down gracefully.
                using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
                {
                    await kill.WaitForExitAsync();
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
                await process.WaitForExitAsync(timeout.Token);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.Dispose();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopServiceAsync();
        }
        finally
        {
            await _postgres.DisposeAsync();
            DeleteFolder(_folder);
        }
    }

    private static void DeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // Left for the OS to clean; it is in the temp folder.
        }
        catch (UnauthorizedAccessException)
        {
            // Files owned by the server's user when we ran as root; the temp folder is cleaned eventually.
        }
    }
}
