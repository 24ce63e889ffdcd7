using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Reliability.Testing;

namespace Reliability.Api.Tests;

/// <summary>
/// The real service over real HTTP (Kestrel on a loopback port) with its in-process Orleans silo,
/// on a database of its own. Two factories given the same database play the same service restarted.
/// </summary>
public sealed class ReliabilityApiFactory(string connectionString) : WebApplicationFactory<Program>
{
    private readonly int _siloPort = TestDatabase.FreePort();
    private readonly int _gatewayPort = TestDatabase.FreePort();

    public string ConnectionString { get; } = connectionString;

    public static async Task<ReliabilityApiFactory> StartAsync(string purpose)
    {
        var factory = new ReliabilityApiFactory(await TestDatabase.CreateAsync(purpose));
        factory.Start();
        return factory;
    }

    /// <summary>Starts Kestrel; <see cref="WebApplicationFactory{T}.CreateClient()"/> then talks real HTTP to it.</summary>
    public void Start()
    {
        UseKestrel(0);
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:Reliability", ConnectionString);
        builder.UseSetting("Reliability:Orleans:SiloPort", _siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Reliability:Orleans:GatewayPort", _gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseEnvironment("Development");
    }
}
