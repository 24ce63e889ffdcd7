using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Reliability.Api.Hosting;

/// <summary>
/// Ready only while this silo is Active in the cluster's membership view (joined, not yet leaving)
/// and the process is not draining for shutdown.
/// </summary>
internal sealed class ClusterMembershipHealthCheck(
    IClusterMembershipService membership, ILocalSiloDetails silo, ShutdownDrain drain) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (drain.IsDraining)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Shutting down."));
        }

        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo {silo.SiloAddress} is active.")
            : HealthCheckResult.Unhealthy($"Silo {silo.SiloAddress} is {status} in the cluster membership."));
    }
}
