using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Reliability.Infrastructure;
using Reliability.Contracts.Propositions;
using Reliability.Infrastructure.Security;
using Reliability.Testing;

namespace Reliability.Api.Tests;

/// <summary>
/// The real service over real HTTP (Kestrel on a loopback port) with its in-process Orleans silo,
/// on a database of its own. Two factories given the same database play the same service restarted.
/// </summary>
public sealed class ReliabilityApiFactory(string connectionString, IReadOnlyDictionary<string, string>? settings = null)
    : WebApplicationFactory<Program>
{
    // Chosen together, so the silo and its gateway never get the same port.
    private readonly int[] _orleansPorts = LoopbackPorts.Free(2);

    public string ConnectionString { get; } = connectionString;

    /// <summary>Provisioned through <c>Reliability:BootstrapAdminKey</c>, as a deployment would.</summary>
    public string AdminKey { get; } = ApiKeySecret.Generate();

    /// <summary>Everything the service logged, to check that no secret ever reaches a log.</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>A setting naming the host environment to run in (Development unless told).</summary>
    public const string EnvironmentSetting = "Testing:Environment";

    public static async Task<ReliabilityApiFactory> StartAsync(string purpose, IReadOnlyDictionary<string, string>? settings = null)
    {
        var connectionString = await TestDatabase.CreateAsync(purpose);
        for (var attempt = 1; ; attempt++)
        {
            var factory = new ReliabilityApiFactory(connectionString, settings);
            try
            {
                factory.Start();
                return factory;
            }
            catch (Exception exception) when (attempt < StartAttempts && IsAddressInUse(exception))
            {
                // The silo's ports were free when chosen and let go until it binds them; meanwhile any
                // socket on the machine (another test's connection to the database, say) may be given
                // one. Fresh ports on the same database are the same service started again.
                await factory.DisposeAsync();
            }
        }
    }

    private const int StartAttempts = 3;

    private static bool IsAddressInUse(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is Microsoft.AspNetCore.Connections.AddressInUseException
                || exception is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.AddressAlreadyInUse })
            {
                return true;
            }

            if (exception is AggregateException aggregate && aggregate.InnerExceptions.Any(IsAddressInUse))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>A real-HTTP client that sends <paramref name="key"/> as a bearer token.</summary>
    public HttpClient CreateClient(string key)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient CreateAdminClient() => CreateClient(AdminKey);

    /// <summary>Creates a key with <paramref name="role"/> through the API and returns a client using it.</summary>
    public async Task<HttpClient> CreateClientAsync(ApiKeyRole role)
    {
        using var admin = CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/v1/keys", new { name = $"test {role}", role = role.ToString().ToLowerInvariant() });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return CreateClient(created.GetProperty("key").GetString()!);
    }

    /// <summary>
    /// Waits until the provisional truth estimate has caught up with everything recorded so far: its
    /// recomputation is paced, so a read straight after a write may still see the previous estimate.
    /// </summary>
    public async Task WaitForQuietTruthAsync()
    {
        var truth = Services.GetRequiredService<IGrainFactory>().GetGrain<ITruthGrain>(0);
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await truth.GetEstimatesAsync([])).Stale)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("The truth estimate did not catch up with the record within two minutes.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
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
        builder.UseSetting("Reliability:Orleans:SiloPort", _orleansPorts[0].ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Reliability:Orleans:GatewayPort", _orleansPorts[1].ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Reliability:BootstrapAdminKey", AdminKey);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            builder.UseSetting(key, value);
        }

        builder.UseEnvironment(settings?.GetValueOrDefault(EnvironmentSetting) ?? "Development");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Debug));
    }
}
