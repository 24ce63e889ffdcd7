using System.Net;
using System.Net.Sockets;
using Reliability.Infrastructure.Security;

namespace Reliability.Api.Tests;

/// <summary>
/// Several service processes on loopback forming one Orleans cluster through the PostgreSQL
/// membership table, as an operator runs them behind a load balancer.
/// </summary>
public sealed class ServiceCluster : IAsyncDisposable
{
    private readonly List<ServiceProcess> _nodes;

    private ServiceCluster(List<ServiceProcess> nodes, string adminKey)
    {
        _nodes = nodes;
        AdminKey = adminKey;
    }

    public string AdminKey { get; }

    public IReadOnlyList<ServiceProcess> Nodes => _nodes;

    public static async Task<ServiceCluster> StartAsync(string connectionString, int size, params string[] options)
    {
        var adminKey = ApiKeySecret.Generate();
        var environment = new Dictionary<string, string> { ["ConnectionStrings__Reliability"] = connectionString };
        string[] clusterOptions =
        [
            "--Reliability:Orleans:Clustering=PostgreSQL",
            "--Reliability:Orleans:AdvertisedAddress=127.0.0.1",
            $"--Reliability:Orleans:ClusterId=faults-{Guid.NewGuid():N}",
            $"--Reliability:BootstrapAdminKey={adminKey}",
            // Nodes stopped at the end of a test need no time for a load balancer to notice.
            "--Reliability:Shutdown:DrainSeconds=0.5",
            .. options,
        ];
        var nodes = new List<ServiceProcess>();
        try
        {
            // The first node creates the schemas; the others then join together.
            nodes.Add(await ServiceProcess.StartAsync(environment, clusterOptions));
            nodes.AddRange(await Task.WhenAll(Enumerable.Range(1, size - 1).Select(_ => ServiceProcess.StartAsync(environment, clusterOptions))));
            var cluster = new ServiceCluster(nodes, adminKey);
            foreach (var node in nodes)
            {
                await cluster.WaitUntilReadyAsync(node, TimeSpan.FromSeconds(60));
            }

            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync();
            }

            throw;
        }
    }

    public HttpClient ClientFor(ServiceProcess node)
    {
        var client = new HttpClient { BaseAddress = node.Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminKey);
        return client;
    }

    public async Task WaitUntilReadyAsync(ServiceProcess node, TimeSpan limit)
    {
        using var client = ClientFor(node);
        using var timeout = new CancellationTokenSource(limit);
        while (true)
        {
            try
            {
                if ((await client.GetAsync("/health/ready", timeout.Token)).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(250), timeout.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested)
            {
                Assert.Fail($"Node {node.Address} was not ready within {limit}:\n{node.Output}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(n => n.DisposeAsync().AsTask()));
    }
}

/// <summary>
/// What a load balancer does in front of the cluster: it sends only to nodes whose readiness it saw
/// healthy (polled every 200 ms), and moves a request to another node when a node refuses the
/// connection.
/// </summary>
public sealed class Balancer : IAsyncDisposable
{
    private readonly HttpClient[] _clients;
    private readonly bool[] _ready;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _polling;

    public Balancer(ServiceCluster cluster, IEnumerable<ServiceProcess> nodes)
    {
        _clients = [.. nodes.Select(cluster.ClientFor)];
        _ready = [.. _clients.Select(_ => true)];
        _polling = Task.Run(PollAsync);
    }

    public int Count => _clients.Length;

    /// <summary>The client of the given node if the balancer sees it ready, else of the next ready one.</summary>
    public (int Node, HttpClient Client) Pick(int preferred)
    {
        for (var i = 0; i < _clients.Length; i++)
        {
            var node = (preferred + i) % _clients.Length;
            if (Volatile.Read(ref _ready[node]))
            {
                return (node, _clients[node]);
            }
        }

        return (preferred % _clients.Length, _clients[preferred % _clients.Length]);
    }

    public void MarkDown(int node) => Volatile.Write(ref _ready[node], false);

    public static bool IsConnectionRefused(Exception exception) =>
        exception is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };

    private async Task PollAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            await Task.WhenAll(_clients.Select(async (client, node) =>
            {
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    timeout.CancelAfter(TimeSpan.FromSeconds(2));
                    var response = await client.GetAsync("/health/ready", timeout.Token);
                    Volatile.Write(ref _ready[node], response.StatusCode == HttpStatusCode.OK);
                }
                catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
                {
                    Volatile.Write(ref _ready[node], false);
                }
            }));
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), _stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _polling;
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        _stop.Dispose();
    }
}
