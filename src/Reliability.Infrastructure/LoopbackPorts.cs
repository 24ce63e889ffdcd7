using System.Net;
using System.Net.Sockets;

namespace Reliability.Infrastructure;

/// <summary>TCP ports on loopback that nobody listens on right now, for a server about to be started.</summary>
public static class LoopbackPorts
{
    /// <summary>
    /// <paramref name="count"/> different free ports. Each is held until all are chosen: a port let
    /// go is free to be handed out again at once, and a service given the same port for two of its
    /// listeners (Kestrel, an Orleans silo, its gateway) fails to start.
    /// </summary>
    public static int[] Free(int count)
    {
        var listeners = new TcpListener[count];
        try
        {
            for (var i = 0; i < count; i++)
            {
                listeners[i] = new TcpListener(IPAddress.Loopback, 0);
                listeners[i].Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener?.Stop();
            }
        }
    }

    public static int Free() => Free(1)[0];
}
