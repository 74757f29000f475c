using System.Net.Sockets;

namespace Paddock.Runtime.Network;

/// <summary>
/// The firewall mark on the host's own sockets made for sandboxes (resolver queries, proxied connections):
/// a routing rule sends marked traffic by the uplink, as the sandboxes' own.
/// </summary>
internal static class SocketMark
{
    private const int SolSocket = 1;
    private const int SoMark = 36;

    public static void Set(Socket socket, int mark) =>
        socket.SetRawSocketOption(SolSocket, SoMark, BitConverter.GetBytes(mark));
}
