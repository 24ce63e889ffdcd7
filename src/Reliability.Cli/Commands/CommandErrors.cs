using System.CommandLine;
using Reliability.Cli.Datasets;

namespace Reliability.Cli.Commands;

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
        catch (Exception e) when (e is DatasetFormatException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            parse.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
            return Failed;
        }
    }
}
