namespace Reliability.Infrastructure.Database;

/// <summary>Where the service keeps its data when it runs its own PostgreSQL.</summary>
public sealed class ReliabilityDatabaseOptions
{
    public const string ConnectionStringName = "Reliability";

    /// <summary>Configuration key <c>Reliability:DataDirectory</c>; the user's data, kept across restarts.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>Configuration key <c>Reliability:PostgresBinDirectory</c>; found automatically when empty.</summary>
    public string? PostgresBinDirectory { get; set; }
}
