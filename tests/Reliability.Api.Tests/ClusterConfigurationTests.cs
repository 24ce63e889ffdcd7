using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Reliability.Infrastructure;
using Reliability.Api.Hosting;
using Reliability.Infrastructure.Cluster;
using Reliability.Testing;

namespace Reliability.Api.Tests;

/// <summary>The clustering settings and the Orleans schema the ADO.NET providers run on.</summary>
public sealed class ClusterConfigurationTests
{
    [Fact]
    public void Localhost_clustering_is_the_default_and_advertises_loopback()
    {
        var settings = ClusterSettings.Read(Configuration());

        Assert.Equal(ClusteringMode.Localhost, settings.Orleans.Clustering);
        Assert.Equal(IPAddress.Loopback, settings.AdvertisedAddress);
        Assert.Equal(TimeSpan.Zero, settings.DrainDelay);
    }

    [Fact]
    public void PostgreSQL_clustering_without_a_connection_string_is_refused_with_what_to_set()
    {
        var refusal = Assert.Throws<InvalidOperationException>(() =>
            ClusterSettings.Read(Configuration(("Reliability:Orleans:Clustering", "PostgreSQL"))));

        Assert.Contains("ConnectionStrings:Reliability", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgreSQL_clustering_advertises_the_configured_address_or_a_non_loopback_one()
    {
        var configured = ClusterSettings.Read(Configuration(
            ("Reliability:Orleans:Clustering", "PostgreSQL"), ("ConnectionStrings:Reliability", "Host=db"),
            ("Reliability:Orleans:AdvertisedAddress", "10.1.2.3")));
        Assert.Equal(IPAddress.Parse("10.1.2.3"), configured.AdvertisedAddress);
        Assert.Equal(TimeSpan.FromSeconds(5), configured.DrainDelay);

        Assert.Throws<InvalidOperationException>(() => ClusterSettings.Read(Configuration(
            ("Reliability:Orleans:Clustering", "PostgreSQL"), ("ConnectionStrings:Reliability", "Host=db"),
            ("Reliability:Orleans:AdvertisedAddress", "silo-1"))));
    }

    [Fact]
    public async Task Orleans_membership_and_reminders_run_on_the_projects_own_schema()
    {
        var database = await TestDatabase.CreateAsync("orleans-schema");
        // Silos starting together each migrate; the advisory lock lets exactly one apply it.
        var versions = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => OrleansSchema.MigrateAsync(database)));
        Assert.All(versions, v => Assert.Equal(1, v));
        Assert.Equal(1L, await ScalarAsync(database, "SELECT count(*) FROM orleans.schema_version"));
        Assert.Equal(16L, await ScalarAsync(database, "SELECT count(*) FROM orleans.OrleansQuery"));

        var ports = LoopbackPorts.Free(2);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Reliability"] = database,
            ["Reliability:Orleans:Clustering"] = "PostgreSQL",
            ["Reliability:Orleans:AdvertisedAddress"] = "127.0.0.1",
            ["Reliability:Orleans:SiloPort"] = ports[0].ToString(CultureInfo.InvariantCulture),
            ["Reliability:Orleans:GatewayPort"] = ports[1].ToString(CultureInfo.InvariantCulture),
            ["Reliability:Orleans:ClusterId"] = "schema-test",
        });
        builder.AddReliabilityCluster(ClusterSettings.Read(builder.Configuration), database);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var silo = host.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            var members = (await host.Services.GetRequiredService<IMembershipTable>().ReadAllAsync()).Members;
            Assert.Contains(members, m => m.Item1.SiloAddress.Equals(silo) && m.Item1.Status == SiloStatus.Active);

            var reminders = host.Services.GetRequiredService<IReminderTable>();
            var grain = GrainId.Create("watch", "post-1");
            var first = await reminders.UpsertRow(Reminder(grain, TimeSpan.FromMinutes(10))) ?? "";
            var second = await reminders.UpsertRow(Reminder(grain, TimeSpan.FromDays(40))) ?? "";
            Assert.NotEqual(first, second);

            var row = await reminders.ReadRow(grain, "recheck");
            Assert.NotNull(row);
            Assert.Equal(second, row.ETag);
            Assert.Equal(TimeSpan.FromDays(40), row.Period);
            Assert.Single((await reminders.ReadRows(grain)).Reminders);
            var hash = grain.GetUniformHashCode();
            Assert.Single((await reminders.ReadRows(hash - 1, hash)).Reminders);
            Assert.Empty((await reminders.ReadRows(hash, hash + 1)).Reminders);

            Assert.False(await reminders.RemoveRow(grain, "recheck", first));
            Assert.True(await reminders.RemoveRow(grain, "recheck", second));
            Assert.Empty((await reminders.ReadRows(grain)).Reminders);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    private static ReminderEntry Reminder(GrainId grain, TimeSpan period) =>
        new() { GrainId = grain, ReminderName = "recheck", StartAt = DateTime.UtcNow, Period = period };

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
