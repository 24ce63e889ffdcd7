using Reliability.Api.Apis;
using Reliability.Api.Hosting;
using Reliability.Api.Security;
using Reliability.Infrastructure.Database;

var builder = WebApplication.CreateBuilder(args);

using var bootstrapLogging = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole());
await using var database = await ReliabilityDatabase.OpenAsync(builder.Configuration, bootstrapLogging.CreateLogger("Reliability.Database"));

builder.AddReliabilityHost(database.ConnectionString);

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseReliabilitySecurity();
app.MapReliabilityDocumentation();
app.MapHealthApi();
app.MapProbeApi();
app.MapKeysApi();
app.MapClaimsApi();
app.MapPropositionsApi();
app.MapSourcesApi();
app.MapLookupApi();
app.MapPluginAssets();
app.LogAddressesOnStart();

await app.RunAsync();

/// <summary>The service's entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
