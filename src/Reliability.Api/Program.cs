using Reliability.Api.Apis;
using Reliability.Api.Demo;
using Reliability.Api.Hosting;
using Reliability.Api.Security;
using Reliability.Infrastructure.Database;

// The content root is the service's own folder, not the one it was started from: `deploy/run.sh`
// runs it from the repository's root, where its appsettings.json was silently not read (ASP.NET
// Core then logged every request). Relative paths in the configuration, such as the data directory,
// still resolve against the folder it was started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });

var cluster = ClusterSettings.Read(builder.Configuration);
using var bootstrapLogging = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole());
await using var database = await ReliabilityDatabase.OpenAsync(builder.Configuration, bootstrapLogging.CreateLogger("Reliability.Database"));

await cluster.PrepareClusterStoreAsync(database.ConnectionString);
builder.AddReliabilityHost(cluster, database.ConnectionString);
if (builder.Configuration.GetValue("Reliability:Demo:LoadSeedCase", database.IsEmbedded))
{
    builder.Services.AddHostedService<SeedCaseLoader>();
}

var demoPage = builder.Configuration.GetValue("Reliability:Demo:Page", database.IsEmbedded);
if (demoPage)
{
    builder.Services.AddSingleton<DemoKey>();
}

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseReliabilitySecurity();
app.MapReliabilityDocumentation();
app.MapHealthApi();
app.MapKeysApi();
app.MapIdentityApi();
app.MapClaimsApi();
app.MapPropositionsApi();
app.MapSourcesApi();
app.MapLookupApi();
app.MapArticlesApi();
app.MapEventsApi();
app.MapAdminApi();
app.MapClaimReviewApi();
app.MapWebhooksApi();
if (demoPage)
{
    app.MapDemoPage();
}

app.MapPluginAssets();
app.LogAddressesOnStart();

await app.RunAsync();

/// <summary>The service's entry point, visible to the functional tests' WebApplicationFactory.</summary>
public partial class Program;
