using System.Net;
using System.Net.Sockets;

namespace Reliability.Infrastructure.Tests;

public sealed class LoopbackPortsTests
{
    [Fact]
    public void Ports_chosen_together_are_all_different_and_free_to_listen_on()
    {
        var ports = LoopbackPorts.Free(50);

        Assert.Equal(ports.Length, ports.Distinct().Count());
        var listeners = ports.Select(port => new TcpListener(IPAddress.Loopback, port)).ToList();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }
        }
        finally
        {
            listeners.ForEach(l => l.Stop());
        }
    }
}
