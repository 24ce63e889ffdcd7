using System.Diagnostics;

namespace Reliability.Testing;

/// <summary>What is running on the machine, for tests that check a run left no process behind.</summary>
public static class RunningProcesses
{
    /// <summary>Whether any running process has <paramref name="text"/> in its command line (a data folder, say).</summary>
    public static bool AnyWithCommandLineContaining(string text) =>
        Process.GetProcesses().Any(process => CommandLineOf(process).Contains(text, StringComparison.Ordinal));

    private static string CommandLineOf(Process process)
    {
        using (process)
        {
            try
            {
                return File.ReadAllText($"/proc/{process.Id}/cmdline");
            }
            catch (IOException)
            {
                // The process ended while we looked.
                return "";
            }
            catch (UnauthorizedAccessException)
            {
                return "";
            }
        }
    }
}
