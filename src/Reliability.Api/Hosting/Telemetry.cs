using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Diagnostics;
using Reliability.Grains.Recording;

namespace Reliability.Api.Hosting;

/// <summary>
/// OpenTelemetry traces, metrics and logs for the service: ASP.NET Core, Orleans grain calls, Marten
/// and Npgsql, outbound HTTP (watcher, webhooks) and the .NET runtime, exported over OTLP when an
/// endpoint is configured through the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> setting. Without
/// one nothing is collected: an SDK with no exporter still records a span for every request, grain
/// call and query only to drop it, which measurably slowed every endpoint. The runtime's own meters
/// stay readable by <c>dotnet-counters</c> either way.
/// </summary>
internal static class Telemetry
{
    public const string ServiceName = "reliability";

    /// <summary>The standard OpenTelemetry setting; any configuration source may carry it.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    // Both ship their own instrumentation; listening to their sources is all it takes.
    private static readonly string[] DatabaseSources = ["Npgsql", "Marten"];

    public static WebApplicationBuilder AddReliabilityTelemetry(this WebApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]))
        {
            return builder;
        }

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(
                serviceName: builder.Configuration["OTEL_SERVICE_NAME"] ?? ServiceName,
                serviceInstanceId: Environment.MachineName + ":" + Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(ActivitySources.AllActivitySourceName)
                .AddSource(DatabaseSources))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter("Microsoft.Orleans")
                .AddMeter(DatabaseSources)
                .AddMeter(RecordMetrics.MeterName));

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeScopes = true;
            // Messages are rendered from templates whose arguments never carry secrets (keys, passwords);
            // the formatted message is what an operator searches for.
            logging.IncludeFormattedMessage = true;
        });

        telemetry.UseOtlpExporter();
        return builder;
    }

    // Orchestrators poll health every few seconds; tracing each probe would drown real requests.
    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);
}
