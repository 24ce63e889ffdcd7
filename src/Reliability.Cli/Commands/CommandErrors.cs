using System.CommandLine;
using System.Data.Common;
using Reliability.Cli.Datasets;

namespace Reliability.Cli.Commands;

/// <summary>A failure the user can act on (a refused request, an unknown id): one line, exit code 1.</summary>
public sealed class CommandFailedException(string message) : Exception(message);

/// <summary>Turns expected failures (bad files, bad input) into one line on stderr and exit code 1.</summary>
public static class CommandErrors
{
    public const int Failed = 1;

    public static int Guard(ParseResult parse, Action action)
    {
        try
        {
            action();
            return 0;
        }
        catch (Exception e) when (IsExpected(e))
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return Failed;
        }
    }

    public static async Task<int> GuardAsync(ParseResult parse, Func<Task> action)
    {
        try
        {
            await action();
            return 0;
        }
        catch (Exception e) when (IsExpected(e) || e is CommandFailedException or HttpRequestException or DbException)
        {
            await parse.InvocationConfiguration.Error.WriteLineAsync($"error: {e.Message}");
            return Failed;
        }
    }

    private static bool IsExpected(Exception e) =>
        e is DatasetFormatException or IOException or UnauthorizedAccessException or ArgumentException;
}
