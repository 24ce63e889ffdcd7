using Orleans.Configuration;
using Reliability.Api.Apis;
using Reliability.Api.Security;
using Reliability.Grains;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.EventStore;
using Reliability.Infrastructure.Health;
using Scalar.AspNetCore;

namespace Reliability.Api.Hosting;

internal static partial class HostRegistration
{
    /// <summary>Everything the service runs: the Orleans silo, Marten, health checks and the API.</summary>
    public static WebApplicationBuilder AddReliabilityHost(this WebApplicationBuilder builder, string connectionString)
    {
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddReliabilityEventStore(connectionString, options => options.ConfigureRecord());
        builder.Services.AddReliabilityRecord();
        builder.Services.AddReliabilityWatching(builder.Configuration);
        builder.Services.AddProblemDetails();
        builder.Services.AddStrictJson();
        builder.Services.AddExceptionHandler<BadRequestHandler>();
        builder.Services.AddOpenApi();
        builder.AddReliabilitySecurity();
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: [HealthApi.ReadyTag]);

        var orleans = builder.Configuration.GetSection("Reliability:Orleans").Get<OrleansOptions>() ?? new();
        builder.UseOrleans(silo =>
        {
            silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
            silo.Configure<GrainCollectionOptions>(options =>
            {
                if (orleans.CollectionAgeSeconds is { } age)
                {
                    options.CollectionAge = TimeSpan.FromSeconds(age);
                }
            });
            UseReminderStorage(silo);
        });
        return builder;
    }

    /// <summary>
    /// Where reminders (the deletion-check schedule's wake-up) are kept. In memory suits localhost
    /// clustering: the one silo re-registers its reminder on start. A multi-silo cluster needs shared storage.
    /// </summary>
    private static void UseReminderStorage(ISiloBuilder silo) => silo.UseInMemoryReminderService();

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

/// <summary>Configuration section <c>Reliability:Orleans</c>.</summary>
internal sealed class OrleansOptions
{
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    public string ClusterId { get; set; } = "reliability";
    public string ServiceId { get; set; } = "reliability";

    /// <summary>How long an idle grain stays in memory; tests shorten it.</summary>
    public int? CollectionAgeSeconds { get; set; }
}
