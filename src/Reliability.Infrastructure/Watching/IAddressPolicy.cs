using System.Net;

namespace Reliability.Infrastructure.Watching;

/// <summary>Decides which IP addresses outbound requests (watcher and webhooks) may connect to.</summary>
public interface IAddressPolicy
{
    bool IsAllowed(IPAddress address);
}
