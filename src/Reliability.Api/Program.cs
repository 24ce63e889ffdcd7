using Reliability.Api.Apis;
using Reliability.Api.Demo;
using Reliability.Api.Hosting;
using Reliability.Api.Security;
using Reliability.Infrastructure.Database;

var builder = WebApplication.CreateBuilder(args);

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
