using Marten;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Reliability.Infrastructure.EventStore;
using Reliability.Testing;

namespace Reliability.Infrastructure.Tests;

/// <summary>
/// Services on a fresh database of the test PostgreSQL, registered as the service does (the event
/// store already registers the watching and webhook documents).
/// </summary>
internal static class StoreHost
{
    public static async Task<ServiceProvider> CreateAsync(
        string purpose,
        Action<IServiceCollection, IConfiguration> register,
        Action<StoreOptions>? documents = null,
        Dictionary<string, string?>? settings = null)
    {
        var connectionString = await TestDatabase.CreateAsync(purpose);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings ?? []).Build();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddReliabilityEventStore(connectionString, documents);
        register(services, configuration);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<IDocumentStore>().Storage.ApplyAllConfiguredChangesToDatabaseAsync();
        return provider;
    }
}
