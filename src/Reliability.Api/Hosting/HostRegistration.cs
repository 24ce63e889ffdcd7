using Reliability.Api.Apis;
using Reliability.Api.Security;
using Reliability.Grains;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.EventStore;
using Reliability.Infrastructure.Health;
using Scalar.AspNetCore;

namespace Reliability.Api.Hosting;

internal static partial class HostRegistration
{
    /// <summary>Everything the service runs: the Orleans silo, Marten, health checks and the API.</summary>
    public static WebApplicationBuilder AddReliabilityHost(this WebApplicationBuilder builder, ClusterSettings cluster, string connectionString)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddReliabilityEventStore(connectionString, options => options.ConfigureRecord());
        builder.Services.AddReliabilityRecord();
        builder.Services.Configure<ReadCacheOptions>(builder.Configuration.GetSection("Reliability:ReadCache"));
        builder.Services.Configure<RecordOptions>(builder.Configuration.GetSection("Reliability:Records"));
        builder.Services.Configure<EventStreamOptions>(builder.Configuration.GetSection("Reliability:Events"));
        builder.Services.AddReliabilityWatching(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddStrictJson();
        builder.Services.AddSingleton<LookupJson>();
        builder.Services.AddSingleton<AskedUrls>();
        // Minimal APIs throw what they could not bind only in Development unless told to; elsewhere
        // the client would get a bare 400 without the parser's word on what and where.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        builder.Services.AddExceptionHandler<StoreUnavailableHandler>();
        builder.Services.AddOpenApi();
        builder.AddReliabilitySecurity();
        builder.AddReliabilityTelemetry();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthApi.ReadyTag])
            .AddCheck<ClusterMembershipHealthCheck>("cluster", tags: [HealthApi.ReadyTag]);

        builder.AddReliabilityCluster(cluster, connectionString);
        return builder;
    }

    public static WebApplication MapReliabilityDocumentation(this WebApplication app)
    {
        // The document and the page that renders it are public; calling the API needs a key.
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/docs", options => options.WithTitle("Reliability API")).AllowAnonymous();
        return app;
    }

    /// <summary>Says where the service answers, so the run command prints a URL a person can open.</summary>
    public static WebApplication LogAddressesOnStart(this WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            foreach (var address in app.Urls)
            {
                LogListening(app.Logger, address);
            }
        });
        return app;
    }

    [LoggerMessage(LogLevel.Information, "Reliability is running at {Address} (API reference at {Address}/docs, health at {Address}/health/ready)")]
    private static partial void LogListening(ILogger logger, string address);
}
