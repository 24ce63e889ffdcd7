namespace Reliability.Cli.Datasets;

/// <summary>
/// Finds the benchmark data. The repository checkout sits next to a `shared/` folder
/// (X/main beside X/shared/datasets), so walk up from where we run and from where we are installed.
/// </summary>
public static class DatasetLocator
{
    public const string CanonicalFolder = "shared/datasets/canonical";

    public static string? FindCanonical() =>
        FindCanonical(Environment.CurrentDirectory) ?? FindCanonical(AppContext.BaseDirectory);

    public static string? FindCanonical(string start)
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, CanonicalFolder);
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
