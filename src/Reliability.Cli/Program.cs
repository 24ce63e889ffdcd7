using System.CommandLine;
using Reliability.Cli;

// Ctrl+C cancels a command; a bench then needs a few seconds to stop its PostgreSQL server and
// remove its folder, where the default grace period would end the process with the server running.
return await CliApp.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) });
