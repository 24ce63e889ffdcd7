using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Orleans.Configuration;
using Reliability.Infrastructure.Cluster;
using Reliability.Infrastructure.Database;

namespace Reliability.Api.Hosting;

/// <summary>How silos find each other: <c>Localhost</c> (one process) or the PostgreSQL membership table.</summary>
internal enum ClusteringMode
{
    Localhost,
    PostgreSQL,
}

/// <summary>Configuration section <c>Reliability:Orleans</c>.</summary>
internal sealed class OrleansOptions
{
    public ClusteringMode Clustering { get; set; } = ClusteringMode.Localhost;

    /// <summary>The address other silos and clients use to reach this one.</summary>
    public string? AdvertisedAddress { get; set; }

    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;
    public string ClusterId { get; set; } = "reliability";
    public string ServiceId { get; set; } = "reliability";

    /// <summary>How long an idle grain stays in memory; tests shorten it.</summary>
    public int? CollectionAgeSeconds { get; set; }
}

/// <summary>The silo's settings, read and checked before anything starts.</summary>
internal sealed record ClusterSettings(OrleansOptions Orleans, IPAddress AdvertisedAddress, TimeSpan DrainDelay)
{
    public bool UsesPostgreSQL => Orleans.Clustering == ClusteringMode.PostgreSQL;

    public static ClusterSettings Read(IConfiguration configuration)
    {
        var orleans = configuration.GetSection("Reliability:Orleans").Get<OrleansOptions>() ?? new();
        if (orleans.Clustering == ClusteringMode.PostgreSQL
            && string.IsNullOrWhiteSpace(configuration.GetConnectionString(ReliabilityDatabaseOptions.ConnectionStringName)))
        {
            // An embedded database lives and dies with one process: silos on other machines cannot share it.
            throw new InvalidOperationException(
                "Reliability:Orleans:Clustering=PostgreSQL needs a shared PostgreSQL server: set ConnectionStrings:Reliability " +
                "(env ConnectionStrings__Reliability). The embedded database serves a single process only.");
        }

        var advertised = orleans.AdvertisedAddress is { Length: > 0 } text
            ? IPAddress.TryParse(text, out var parsed) ? parsed
                : throw new InvalidOperationException($"Reliability:Orleans:AdvertisedAddress '{text}' is not an IP address.")
            : orleans.Clustering == ClusteringMode.Localhost ? IPAddress.Loopback : FirstNonLoopbackIPv4();
        var drain = configuration.GetValue<double?>("Reliability:Shutdown:DrainSeconds")
            ?? (orleans.Clustering == ClusteringMode.PostgreSQL ? 5 : 0);
        return new ClusterSettings(orleans, advertised, TimeSpan.FromSeconds(drain));
    }

    private static IPAddress FirstNonLoopbackIPv4() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
        ?? throw new InvalidOperationException(
            "No non-loopback IPv4 address to advertise to other silos: set Reliability:Orleans:AdvertisedAddress.");
}

internal static class ClusterRegistration
{
    private const string NpgsqlInvariant = "Npgsql";

    /// <summary>The silo, its membership and its reminders, in one place for both clustering modes.</summary>
    public static IHostApplicationBuilder AddReliabilityCluster(this IHostApplicationBuilder builder, ClusterSettings cluster, string connectionString)
    {
        var orleans = cluster.Orleans;
        builder.UseOrleans(silo =>
        {
            if (cluster.UsesPostgreSQL)
            {
                var orleansConnection = OrleansSchema.ConnectionString(connectionString);
                silo.Configure<ClusterOptions>(options =>
                {
                    options.ClusterId = orleans.ClusterId;
                    options.ServiceId = orleans.ServiceId;
                });
                silo.ConfigureEndpoints(cluster.AdvertisedAddress, orleans.SiloPort, orleans.GatewayPort, listenOnAnyHostAddress: true);
                silo.UseAdoNetClustering(options =>
                {
                    options.Invariant = NpgsqlInvariant;
                    options.ConnectionString = orleansConnection;
                });
                silo.UseAdoNetReminderService(options =>
                {
                    options.Invariant = NpgsqlInvariant;
                    options.ConnectionString = orleansConnection;
                });
            }
            else
            {
                silo.UseLocalhostClustering(orleans.SiloPort, orleans.GatewayPort, serviceId: orleans.ServiceId, clusterId: orleans.ClusterId);
                silo.UseInMemoryReminderService();
            }

            // Grain calls continue the HTTP request's trace instead of starting unrelated ones.
            silo.AddActivityPropagation();
            silo.Configure<GrainCollectionOptions>(options =>
            {
                if (orleans.CollectionAgeSeconds is { } age)
                {
                    options.CollectionAge = TimeSpan.FromSeconds(age);
                }
            });
        });

        // Registered after the silo, so it is asked to stop first (see ShutdownDrain).
        builder.Services.AddSingleton(cluster);
        builder.Services.AddSingleton<ShutdownDrain>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ShutdownDrain>());
        return builder;
    }

    /// <summary>Brings the Orleans schema up to date before the silo reads its queries from it.</summary>
    public static async Task PrepareClusterStoreAsync(this ClusterSettings cluster, string connectionString)
    {
        if (cluster.UsesPostgreSQL)
        {
            await OrleansSchema.MigrateAsync(connectionString);
        }
    }
}
