using Npgsql;

namespace Reliability.Testing;

/// <summary>A folder under the temp path for one test, removed with everything in it afterwards.</summary>
public sealed class TemporaryFolder(string purpose) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"reliability-{purpose}-{Guid.NewGuid():N}");

    public void Dispose()
    {
        // Pooled connections to a server that lived in this folder are dead now.
        NpgsqlConnection.ClearAllPools();
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
