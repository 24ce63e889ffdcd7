using System.CommandLine;

namespace Reliability.Cli.Commands;

/// <summary>`reliability bench`: benchmarks; `truth` is the first, others attach beside it.</summary>
public static class BenchCommand
{
    public static Command Create()
    {
        var command = new Command("bench", "Measure the engines on the public benchmark datasets.");
        command.Subcommands.Add(BenchTruthCommand.Create());
        return command;
    }
}
