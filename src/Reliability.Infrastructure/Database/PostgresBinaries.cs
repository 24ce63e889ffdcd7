namespace Reliability.Infrastructure.Database;

/// <summary>Finds the PostgreSQL server programs (initdb, pg_ctl) on this machine.</summary>
public static class PostgresBinaries
{
    public const string InstallHint =
        "PostgreSQL server binaries (initdb, pg_ctl) were not found. Install them with " +
        "'apt-get install -y postgresql' (Debian/Ubuntu), set Reliability:PostgresBinDirectory to the folder " +
        "that holds them, or set ConnectionStrings:Reliability to use an existing PostgreSQL server.";

    /// <summary>
    /// Returns the folder holding initdb and pg_ctl: the configured folder, else the PATH, else the
    /// newest /usr/lib/postgresql/N/bin (Debian keeps server binaries off the PATH).
    /// </summary>
    public static string Locate(string? configuredDirectory = null)
    {
        if (!string.IsNullOrWhiteSpace(configuredDirectory))
        {
            return HasServerPrograms(configuredDirectory)
                ? configuredDirectory
                : throw new PostgresUnavailableException(
                    $"Reliability:PostgresBinDirectory is '{configuredDirectory}', which has no initdb and pg_ctl. {InstallHint}");
        }

        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (HasServerPrograms(folder))
            {
                return folder;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(dir => (dir, version: int.TryParse(Path.GetFileName(dir), out var v) ? v : -1))
                .Where(x => x.version >= 0 && HasServerPrograms(Path.Combine(x.dir, "bin")))
                .OrderByDescending(x => x.version)
                .Select(x => Path.Combine(x.dir, "bin"))
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        throw new PostgresUnavailableException(InstallHint);
    }

    private static bool HasServerPrograms(string folder) =>
        File.Exists(Path.Combine(folder, "initdb")) && File.Exists(Path.Combine(folder, "pg_ctl"));
}

public sealed class PostgresUnavailableException(string message) : Exception(message);
