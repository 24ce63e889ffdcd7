using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Reliability.Api.Apis;
using Reliability.Api.Hosting;
using Reliability.Grains;
using Reliability.Grains.Records;

namespace Reliability.Api.Tests;

/// <summary>The settings the README documents reach the parts they are for (nothing is started).</summary>
public sealed class HostConfigurationTests
{
    [Fact]
    public void Record_read_cache_and_event_stream_settings_are_read_from_configuration()
    {
        using var app = Build(new Dictionary<string, string?>
        {
            ["Reliability:Records:ClaimWriters"] = "3",
            ["Reliability:Records:MaxClaimsPerCommit"] = "500",
            ["Reliability:Records:CatchUpInterval"] = "00:00:10",
            ["Reliability:Records:SnapshotInterval"] = "50",
            ["Reliability:ReadCache:Lifetime"] = "00:00:02",
            ["Reliability:ReadCache:LifetimeWithoutNotices"] = "00:00:01",
            ["Reliability:Events:KeyCheckInterval"] = "00:00:03",
        });

        var records = app.Services.GetRequiredService<IOptions<RecordOptions>>().Value;
        Assert.Equal(3, records.ClaimWriters);
        Assert.Equal(500, records.MaxClaimsPerCommit);
        Assert.Equal(TimeSpan.FromSeconds(10), records.CatchUpInterval);
        Assert.Equal(50, records.SnapshotInterval);
        var cache = app.Services.GetRequiredService<IOptions<ReadCacheOptions>>().Value;
        Assert.Equal(TimeSpan.FromSeconds(2), cache.Lifetime);
        Assert.Equal(TimeSpan.FromSeconds(1), cache.LifetimeWithoutNotices);
        Assert.Equal(TimeSpan.FromSeconds(3), app.Services.GetRequiredService<IOptions<EventStreamOptions>>().Value.KeyCheckInterval);
    }

    [Fact]
    public void Statements_are_prepared_unless_the_connection_string_says_otherwise()
    {
        using var app = Build([]);
        Assert.True(app.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(
            Infrastructure.EventStore.EventStoreRegistration.AutoPreparedStatements,
            new NpgsqlConnectionStringBuilder(app.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).MaxAutoPrepare);

        using var unprepared = Build([], "Host=127.0.0.1;Database=unused;Max Auto Prepare=0");
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(unprepared.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).MaxAutoPrepare);
    }

    private static WebApplication Build(Dictionary<string, string?> settings, string connectionString = "Host=127.0.0.1;Database=unused")
    {
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddReliabilityHost(ClusterSettings.Read(builder.Configuration), connectionString);
        return builder.Build();
    }
}
