using System.Net;
using System.Net.Sockets;

namespace Paddock.Agent.Sleep;

/// <summary>
/// The agent's listeners inside the sandbox (envd's port and the code interpreter's), bound by the agent itself and
/// handed to Kestrel as descriptors: the same sockets stay open while the agent sleeps, so a connection made then
/// waits in their queue and wakes it.
/// </summary>
internal static class LoopbackListener
{
    /// <summary>Binds 127.0.0.1:<paramref name="port"/>, listens, and returns the socket's descriptor (close-on-exec).</summary>
    public static int Open(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
        socket.Listen(512);

        // The framework's socket closes its descriptor when disposed: the listener lives on in a copy it never owned.
        return Process.Native.Duplicate((int)socket.SafeHandle.DangerousGetHandle());
    }
}
