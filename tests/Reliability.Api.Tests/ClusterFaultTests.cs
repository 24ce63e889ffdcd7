using System.Diagnostics;
using System.Net;
using Reliability.Infrastructure.Database;
using Reliability.Testing;
using Xunit.Abstractions;

namespace Reliability.Api.Tests;

/// <summary>Fault tests start several service processes each; they run alone so timings mean something.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ClusterFaults
{
    public const string Name = "cluster faults";
}

/// <summary>
/// A cluster of real service processes (Kestrel + silo each) on loopback, clustered through the
/// PostgreSQL membership table, under ingest load while a node dies, stops or loses its database.
/// </summary>
[Collection(ClusterFaults.Name)]
public sealed class ClusterFaultTests(ITestOutputHelper output)
{
    private const int Writers = 4;

    [Fact]
    public async Task A_node_killed_under_load_loses_no_acknowledged_claim_and_the_cluster_serves_again_within_20_s()
    {
        var database = await TestDatabase.CreateAsync("kill");
        await using var cluster = await ServiceCluster.StartAsync(database, 3);
        var (first, victim, third) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await using var balancer = new Balancer(cluster, [first, victim]);
        var load = new ClaimLoad(balancer, "kill");
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(Writers, stop.Token);

        await load.WaitForAsync(60, TimeSpan.FromSeconds(90), "before the kill");
        victim.Kill();
        var sinceKill = Stopwatch.StartNew();
        var atKill = load.Count;

        // Serving again: every source the load has written answers on both survivors.
        using var viaFirst = cluster.ClientFor(first);
        using var viaThird = cluster.ClientFor(third);
        var sources = load.Acknowledged.Values.Distinct().ToList();
        var answers = new List<HttpStatusCode>();
        while (!await ServesAsync(viaFirst, sources, answers) || !await ServesAsync(viaThird, sources, answers))
        {
            Assert.True(sinceKill.Elapsed < TimeSpan.FromSeconds(60), "The cluster did not serve again within 60 s.");
            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }

        var recovered = sinceKill.Elapsed;
        await load.WaitForAsync(atKill + 60, TimeSpan.FromSeconds(90), "after the kill");
        await stop.CancelAsync();
        await writing;

        Report(load, $"served again {recovered.TotalSeconds:F1} s after the kill; reads meanwhile: " +
            string.Join(", ", answers.GroupBy(a => a).Select(g => $"{g.Count()} × {(int)g.Key}")), cluster);
        // Until then a read that meets the dead silo is told to come back, never a 500.
        Assert.All(answers, a => Assert.True(a is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"A read answered {a}."));
        Assert.True(recovered < TimeSpan.FromSeconds(20), $"The cluster served again only after {recovered}.");
        Assert.True(load.Count >= atKill + 60);
        await load.AssertRecordMatchesAsync(database, viaThird, nodeJustDied: true);
    }

    [Fact]
    public async Task A_node_stopped_gracefully_under_load_fails_no_request_and_loses_nothing()
    {
        var database = await TestDatabase.CreateAsync("graceful");
        await using var cluster = await ServiceCluster.StartAsync(database, 3, "--Reliability:Shutdown:DrainSeconds=2");
        var (first, leaving, third) = (cluster.Nodes[0], cluster.Nodes[1], cluster.Nodes[2]);
        await using var balancer = new Balancer(cluster, [first, leaving]);
        var load = new ClaimLoad(balancer, "graceful");
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(Writers, stop.Token);

        await load.WaitForAsync(60, TimeSpan.FromSeconds(90), "before the stop");
        await leaving.StopAsync();
        var atStop = load.Count;
        await load.WaitForAsync(atStop + 60, TimeSpan.FromSeconds(90), "after the stop");
        await stop.CancelAsync();
        await writing;

        Report(load, "graceful stop", cluster);
        Assert.Empty(load.Failures);
        Assert.Contains("Stopping: not ready any more", leaving.Output, StringComparison.Ordinal);
        using var viaThird = cluster.ClientFor(third);
        await load.AssertRecordMatchesAsync(database, viaThird);
    }

    [Fact]
    public async Task With_PostgreSQL_stopped_for_10_s_the_API_answers_503_with_Retry_After_and_recovers_by_itself()
    {
        // A server of its own: stopping the shared test server would fail every other test.
        using var folder = new TemporaryFolder("outage");
        await using var server = await EmbeddedPostgresServer.StartAsync(folder.Path, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var database = await server.CreateDatabaseAsync("outage");
        await using var cluster = await ServiceCluster.StartAsync(database, 2);
        await using var balancer = new Balancer(cluster, cluster.Nodes);
        var load = new ClaimLoad(balancer, "outage");
        using var stop = new CancellationTokenSource();
        var writing = load.RunAsync(Writers, stop.Token);

        await load.WaitForAsync(40, TimeSpan.FromSeconds(90), "before the outage");
        await server.HaltAsync();
        var atHalt = load.Count;
        using var viaFirst = cluster.ClientFor(cluster.Nodes[0]);
        await Task.Delay(TimeSpan.FromSeconds(10));
        var duringOutage = load.Count;
        var ready = await viaFirst.GetAsync("/health/ready");
        var read = await viaFirst.GetAsync($"/v1/claims/outage-w0-b0-i0");
        // A grain activated now meets the outage inside the silo; it must still come out as 503.
        var activation = await viaFirst.GetAsync("/v1/sources/outage-never-seen");
        await server.ResumeAsync();

        // Recovers by itself: writes are acknowledged again and both nodes are ready, nothing restarted.
        await load.WaitForAsync(duringOutage + 40, TimeSpan.FromSeconds(60), "after the database returned");
        foreach (var node in cluster.Nodes)
        {
            await cluster.WaitUntilReadyAsync(node, TimeSpan.FromSeconds(30));
        }

        await stop.CancelAsync();
        await writing;

        Report(load, "database outage", cluster);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.True(read.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"A read during the outage answered {read.StatusCode}.");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, activation.StatusCode);
        Assert.NotNull(activation.Headers.RetryAfter);
        Assert.True(load.Unavailable > 0, "No request met the outage.");
        Assert.True(duringOutage - atHalt <= Writers * 5, "Writes were acknowledged while the database was down.");
        // Never a 500, never anything but 503 with Retry-After and a problem document.
        Assert.Empty(load.Failures);
        // Never a partial write: what is stored is exactly what was acknowledged, in every source's history too.
        await load.AssertRecordMatchesAsync(database, viaFirst);
    }

    private void Report(ClaimLoad load, string what, ServiceCluster cluster)
    {
        output.WriteLine($"{what}: {load.Count} claims acknowledged, {load.Unavailable} answers 503, {load.Refused} connections refused, " +
            $"{load.Failures.Count} failures{string.Concat(load.Failures.Take(5).Select(f => "\n  " + f))}");
        if (load.Failures.Count == 0)
        {
            return;
        }

        // A failed request's cause is in the log of the node that answered it, not in the answer.
        foreach (var (node, index) in cluster.Nodes.Select((n, i) => (n, i)))
        {
            output.WriteLine($"--- node {index} log ---\n{node.Output}");
        }
    }

    private static async Task<bool> ServesAsync(HttpClient client, IEnumerable<string> sources, List<HttpStatusCode> seen)
    {
        try
        {
            var answers = await Task.WhenAll(sources.Select(s => client.GetAsync($"/v1/sources/{s}")));
            seen.AddRange(answers.Select(a => a.StatusCode));
            return answers.All(a => a.StatusCode == HttpStatusCode.OK);
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}
