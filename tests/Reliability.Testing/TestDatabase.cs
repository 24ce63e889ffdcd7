using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Reliability.Infrastructure.Database;

namespace Reliability.Testing;

/// <summary>
/// One throwaway PostgreSQL cluster per test process, in a temp folder removed at the end, started
/// with the same embedded mechanism the service uses. When <c>ConnectionStrings__Reliability</c> is
/// set, that server is used instead and nothing is started. Every caller gets its own database.
/// </summary>
public static class TestDatabase
{
    private const string FolderPrefix = "reliability-tests-";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static string? _serverConnectionString;
    private static EmbeddedPostgresServer? _server;
    private static string? _folder;

    public static async Task<string> CreateAsync(string purpose)
    {
        var server = await ServerAsync();
        var name = $"test_{Sanitise(purpose)}_{Guid.NewGuid():N}"[..40].TrimEnd('_');
        await EmbeddedPostgresServer.EnsureDatabaseAsync(server, name, CancellationToken.None);
        return new NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
    }


    private static async Task<string> ServerAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_serverConnectionString is not null)
            {
                return _serverConnectionString;
            }

            var configured = Environment.GetEnvironmentVariable("ConnectionStrings__Reliability");
            if (!string.IsNullOrWhiteSpace(configured))
            {
                return _serverConnectionString = configured;
            }

            RemoveLeftoversOfEndedRuns();
            // /tmp is traversable by the unprivileged user the server runs as when tests run as root.
            _folder = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            _server = await EmbeddedPostgresServer.StartAsync(_folder, NullLogger.Instance);
            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopServer();
            return _serverConnectionString = _server.ConnectionString;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>
    /// The test host may be killed before its exit handler has removed the folder; whatever a run
    /// whose process has ended left behind is removed by the next one.
    /// </summary>
    private static void RemoveLeftoversOfEndedRuns()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var pid = Path.GetFileName(folder)[FolderPrefix.Length..].Split('-')[0];
            if (!int.TryParse(pid, out var owner) || EmbeddedPostgresServer.IsAlive(owner))
            {
                continue;
            }

            var postmaster = Path.Combine(folder, "postgres", "postmaster.pid");
            if (File.Exists(postmaster) && int.TryParse(File.ReadLines(postmaster).FirstOrDefault(), out var server) && EmbeddedPostgresServer.IsAlive(server))
            {
                // SIGINT is PostgreSQL's fast shutdown.
                using var stop = Process.Start("kill", ["-INT", server.ToString(CultureInfo.InvariantCulture)]);
                stop.WaitForExit();
                Thread.Sleep(TimeSpan.FromSeconds(1));
            }

            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // Still in use; the next run tries again.
            }
        }
    }

    private static void StopServer()
    {
        _server?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        if (_folder is not null && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static string Sanitise(string purpose) =>
        new([.. purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(16)]);
}
