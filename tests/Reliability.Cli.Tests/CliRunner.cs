using System.CommandLine;

namespace Reliability.Cli.Tests;

internal sealed record CliRun(int ExitCode, string Output, string Error);

/// <summary>Runs the `reliability` command tree in-process, capturing what it writes.</summary>
internal static class CliRunner
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
