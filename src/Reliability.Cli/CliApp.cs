using System.CommandLine;
using Reliability.Cli.Commands;

namespace Reliability.Cli;

/// <summary>The `reliability` command tree. Each command lives in its own file under Commands/.</summary>
public static class CliApp
{
    public static RootCommand Build()
    {
        var root = new RootCommand("Reliability: how far newsroom sources can be trusted.");
        root.Subcommands.Add(DiscoverCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(KeysCommand.Create());
        root.Subcommands.Add(ImportCommand.Create());
        root.Subcommands.Add(RescoreCommand.Create());
        return root;
    }
}
