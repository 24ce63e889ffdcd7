using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Reliability.Infrastructure.Watching;

/// <summary>
/// The default rule: URLs come from clients, so only public unicast addresses may be reached unless
/// <see cref="WatcherOptions.AllowPrivateNetworks"/> is set.
/// </summary>
public sealed class NetworkAddressPolicy(IOptions<WatcherOptions> options) : IAddressPolicy
{
    public bool IsAllowed(IPAddress address) => options.Value.AllowPrivateNetworks || IsPublic(address);

    public static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }

        return address.AddressFamily switch
        {
            AddressFamily.InterNetwork => IsPublicV4(address.GetAddressBytes()),
            AddressFamily.InterNetworkV6 => IsPublicV6(address),
            _ => false,
        };
    }

    private static bool IsPublicV4(byte[] b) => !(
        b[0] == 0                                   // "this network", 0.0.0.0
        || b[0] == 10                               // RFC 1918
        || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // CGNAT 100.64/10
        || b[0] == 127                              // loopback
        || (b[0] == 169 && b[1] == 254)             // link-local, cloud metadata 169.254.169.254
        || (b[0] == 172 && b[1] >= 16 && b[1] <= 31) // RFC 1918
        || (b[0] == 192 && b[1] == 0 && b[2] == 0)  // IETF protocol assignments
        || (b[0] == 192 && b[1] == 168)             // RFC 1918
        || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
        || b[0] >= 224);                            // multicast, reserved, broadcast

    private static bool IsPublicV6(IPAddress address)
    {
        if (address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.IPv6Loopback)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        var b = address.GetAddressBytes();
        if ((b[0] & 0xFE) == 0xFC)
        {
            return false; // unique local fc00::/7
        }

        // NAT64 (64:ff9b::/96) reaches the embedded IPv4 address: judge that one.
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xFF && b[3] == 0x9B && b[4..12].All(x => x == 0))
        {
            return IsPublicV4(b[12..]);
        }

        return true;
    }
}
