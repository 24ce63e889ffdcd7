using Reliability.Cli;

return await CliApp.Build().Parse(args).InvokeAsync();
