using Marten;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.TestingHost;
using Reliability.Contracts.Ledger;
using Reliability.Grains.Recording;
using Reliability.Grains.Records;
using Reliability.Grains.Watching;
using Reliability.Infrastructure.EventStore;
using Reliability.Infrastructure.Watching;
using Reliability.Testing;

namespace Reliability.Grains.Tests;

/// <summary>
/// A fresh database with its schema, then a two-silo cluster on it. The test side has its own
/// document store (to read streams and to write behind the grains' backs) and its own ledger writer,
/// which talks to the grains through the cluster client, so killing a silo never kills the writer.
/// </summary>
public class GrainCluster : IAsyncLifetime
{
    private ServiceProvider? _services;

    public InProcessTestCluster Cluster { get; private set; } = null!;
    public IDocumentStore Store { get; private set; } = null!;
    public ILedger Ledger { get; private set; } = null!;
    public WriteInjector Injector { get; } = new();

    /// <summary>Saves the silos' grains make that the test wants refused.</summary>
    public SaveFailures Failures { get; } = new();
    public IGrainFactory Grains => Cluster.Client;

    /// <summary>Short, so tests see the periodic catch-up and snapshots without long histories.</summary>
    protected virtual void Configure(RecordOptions options)
    {
        options.CatchUpInterval = TimeSpan.FromSeconds(1);
        options.SnapshotInterval = 50;
    }

    /// <summary>The database the cluster runs on: by default one of its own on the shared test server.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => TestDatabase.CreateAsync(GetType().Name);

    public async Task InitializeAsync()
    {
        var connectionString = await CreateDatabaseAsync();

        // Schema first, once: two silos migrating at the same moment would race each other.
        var services = new ServiceCollection().AddLogging();
        services.AddReliabilityEventStore(connectionString, o =>
        {
            o.ConfigureRecord();
            o.Listeners.Add(Injector);
        });
        _services = services.BuildServiceProvider();
        Store = _services.GetRequiredService<IDocumentStore>();
        await Store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        var builder = new InProcessTestClusterBuilder(2);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(TimeProvider.System);
            silo.Services.AddReliabilityEventStore(connectionString, o =>
            {
                o.ConfigureRecord();
                o.Listeners.Add(Failures);
            });
            silo.Services.AddReliabilityRecord();
            silo.Services.Configure<RecordOptions>(Configure);
            // The deletion-check schedule with no worker draining its queue: ticks only when a test asks.
            silo.Services.AddSingleton<DeletionCheckQueue>();
            silo.Services.AddSingleton<TickInterleaving>();
            silo.Services.Configure<WatcherOptions>(o =>
            {
                o.TickInterval = TimeSpan.FromHours(1);
                o.ChecksPerTick = DeletionWatchTests.ChecksPerTick;
            });
        });
        // A call to a grain on a killed silo fails after this, instead of Orleans' 30 s default.
        builder.ConfigureClient(client =>
        {
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
            // The writer below runs in the client and hands committed events to the grains.
            client.Services.AddSerializer(serializer => serializer.AddReliabilityEvents());
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Ledger = new LedgerWriter(
            Store, Cluster.Client, TimeProvider.System, new RecordEventHub(), new WatchSchedule(Options.Create(new WatcherOptions())), NullLogger<LedgerWriter>.Instance);
    }

    public virtual async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }
}
