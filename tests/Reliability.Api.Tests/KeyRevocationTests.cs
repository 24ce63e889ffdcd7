using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using JasperFx;
using Marten;
using Npgsql;
using Reliability.Infrastructure.EventStore;
using Reliability.Infrastructure.Security;
using Reliability.Testing;

namespace Reliability.Api.Tests;

/// <summary>
/// Two service processes on one database, each keeping the keys it checked for 30 s: a key revoked
/// through one node, or in the database directly as the command line does, is refused by the other
/// at once, and its event streams there end.
/// </summary>
[Collection(ClusterFaults.Name)]
public sealed class KeyRevocationTests(KeyRevocationTests.Cluster fixture) : IClassFixture<KeyRevocationTests.Cluster>
{
    /// <summary>
    /// Far less than the 30 s a node keeps a key it checked, and than the streams' periodic check:
    /// a guard for a change the nodes were never told of, not a measure of speed.
    /// </summary>
    private static readonly TimeSpan Promptly = TimeSpan.FromSeconds(10);

    /// <summary>The channel key changes are announced on, as the README names it.</summary>
    private const string Channel = "reliability_api_keys";

    public sealed class Cluster : IAsyncLifetime
    {
        public string ConnectionString { get; private set; } = "";

        public ServiceCluster Nodes { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            ConnectionString = await TestDatabase.CreateAsync("key_revocation");
            // Streams check their keys again only every five minutes: only a heard revocation ends them sooner.
            Nodes = await ServiceCluster.StartAsync(ConnectionString, 2, "--Reliability:Events:KeyCheckInterval=00:05:00");
        }

        public async Task DisposeAsync() => await Nodes.DisposeAsync();
    }

    private ServiceProcess NodeA => fixture.Nodes.Nodes[0];

    private ServiceProcess NodeB => fixture.Nodes.Nodes[1];

    private async Task<(string Id, string Secret)> CreateKeyAsync()
    {
        using var admin = fixture.Nodes.ClientFor(NodeA);
        var response = await admin.PostAsJsonAsync("/v1/keys", new { name = "night desk", role = "reader" });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (created.GetProperty("id").GetString()!, created.GetProperty("key").GetString()!);
    }

    private static HttpClient ClientWith(ServiceProcess node, string secret)
    {
        var client = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secret);
        return client;
    }

    /// <summary>The key works on the node, which now keeps it for 30 s.</summary>
    private static async Task AssertAcceptedAsync(HttpClient client)
    {
        using var me = await client.GetAsync("/v1/me");
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
    }

    private static async Task AssertRefusedPromptlyAsync(HttpClient client, string what)
    {
        var since = Stopwatch.StartNew();
        while (true)
        {
            using var me = await client.GetAsync("/v1/me");
            if (me.StatusCode == HttpStatusCode.Unauthorized)
            {
                return;
            }

            Assert.Equal(HttpStatusCode.OK, me.StatusCode);
            Assert.True(since.Elapsed < Promptly, $"{client.BaseAddress} still accepted the key {Promptly.TotalSeconds} s after {what}.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private async Task RevokeThroughNodeAAsync(string keyId)
    {
        using var admin = fixture.Nodes.ClientFor(NodeA);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/v1/keys/{keyId}")).StatusCode);
    }

    [Fact]
    public async Task A_key_revoked_through_one_node_is_refused_by_the_other_at_once()
    {
        var (keyId, secret) = await CreateKeyAsync();
        using var onB = ClientWith(NodeB, secret);
        await AssertAcceptedAsync(onB);
        await AssertAcceptedAsync(onB);

        await RevokeThroughNodeAAsync(keyId);

        await AssertRefusedPromptlyAsync(onB, "its revocation through the other node");
    }

    [Fact]
    public async Task A_key_revoked_in_the_database_directly_is_refused_by_every_running_node()
    {
        var (keyId, secret) = await CreateKeyAsync();
        using var onA = ClientWith(NodeA, secret);
        using var onB = ClientWith(NodeB, secret);
        await AssertAcceptedAsync(onA);
        await AssertAcceptedAsync(onB);

        // As `reliability keys revoke` does: the key store on a document store of its own, no node involved.
        using (var store = DocumentStore.For(options =>
        {
            options.Connection(fixture.ConnectionString);
            options.DatabaseSchemaName = EventStoreRegistration.SchemaName;
            options.AutoCreateSchemaObjects = AutoCreate.CreateOrUpdate;
            options.ConfigureKeys();
        }))
        {
            Assert.NotNull(await new ApiKeyStore(store, TimeProvider.System).RevokeAsync(keyId));
        }

        await AssertRefusedPromptlyAsync(onA, "its revocation in the database");
        await AssertRefusedPromptlyAsync(onB, "its revocation in the database");
    }

    [Fact]
    public async Task An_event_stream_on_the_other_node_ends_once_its_key_is_revoked()
    {
        var (keyId, secret) = await CreateKeyAsync();
        using var onB = ClientWith(NodeB, secret);
        using var response = await onB.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        Assert.Equal(": subscribed", await reader.ReadLineAsync());

        await RevokeThroughNodeAAsync(keyId);

        var lines = new List<string>();
        using var guard = new CancellationTokenSource(Promptly);
        try
        {
            while (await reader.ReadLineAsync(guard.Token) is { } line)
            {
                lines.Add(line);
            }
        }
        catch (OperationCanceledException) when (guard.IsCancellationRequested)
        {
            Assert.Fail($"The stream on the other node was still open {Promptly.TotalSeconds} s after its key was revoked.");
        }

        Assert.Contains(": the API key was revoked", lines);
        using var again = await onB.GetAsync("/v1/events", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.Unauthorized, again.StatusCode);
    }

    [Fact]
    public async Task A_node_whose_listening_connection_is_killed_listens_again_and_still_hears_revocations()
    {
        await using var database = new NpgsqlConnection(fixture.ConnectionString);
        await database.OpenAsync();
        var killed = await ListeningAsync(database, except: []);
        Assert.Equal(fixture.Nodes.Nodes.Count, killed.Count);
        foreach (var pid in killed)
        {
            await using var terminate = new NpgsqlCommand("select pg_terminate_backend($1)", database) { Parameters = { new() { Value = pid } } };
            Assert.True((bool)(await terminate.ExecuteScalarAsync())!);
        }

        var since = Stopwatch.StartNew();
        while ((await ListeningAsync(database, killed)).Count < fixture.Nodes.Nodes.Count)
        {
            Assert.True(since.Elapsed < TimeSpan.FromSeconds(30), "The nodes did not listen again after their connections were killed.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        var (keyId, secret) = await CreateKeyAsync();
        using var onB = ClientWith(NodeB, secret);
        await AssertAcceptedAsync(onB);

        await RevokeThroughNodeAAsync(keyId);

        await AssertRefusedPromptlyAsync(onB, "its revocation through the other node, once the nodes listened again");
    }

    /// <summary>The server processes of the nodes' listening connections, but those in <paramref name="except"/>.</summary>
    private static async Task<List<int>> ListeningAsync(NpgsqlConnection database, IReadOnlyCollection<int> except)
    {
        await using var command = new NpgsqlCommand(
            $"select pid from pg_stat_activity where datname = current_database() and query = 'listen {Channel}'", database);
        var pids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            pids.Add(reader.GetInt32(0));
        }

        return [.. pids.Except(except)];
    }
}
