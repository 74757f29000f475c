using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Paddock.Agent.Tunnel;

/// <summary>
/// A byte tunnel from the host to any TCP port inside the sandbox, over a unix socket on the channel,
/// so the sandbox needs no network route to the host. The host writes the port as one line
/// (<c>8000\n</c>); the agent answers <c>OK\n</c> once it reached the port, or <c>ERR &lt;reason&gt;\n</c>, and
/// then copies bytes both ways until either side closes. Everything above TCP (HTTP, WebSockets,
/// streaming) passes through untouched.
/// </summary>
internal sealed class PortTunnel : IDisposable
{
    private const int MaxPreamble = 16;

    // Linux's IPPROTO_TCP and TCP_QUICKACK (netinet/tcp.h): .NET maps only the options it names, so this is set raw.
    private const int IpProtoTcp = 6;
    private const int TcpQuickAck = 12;
    private static readonly byte[] s_on = BitConverter.GetBytes(1);

    private readonly Socket _listener;
    private readonly Sleep.AcceptGate _gate;

    private PortTunnel(Socket listener, Sleep.AcceptGate gate)
    {
        _listener = listener;
        _gate = gate;
    }

    /// <summary>
    /// Binds and listens at once, so the socket accepts connections (queued until <see cref="RunAsync"/>)
    /// before the agent reports itself ready.
    /// </summary>
    public static PortTunnel Listen(string socketPath, Sleep.AcceptGate gate)
    {
        if (File.Exists(socketPath))
        {
            File.Delete(socketPath);
        }

        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(socketPath));
            listener.Listen(512);
            return new PortTunnel(listener, gate);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    /// <summary>Takes over a socket the host bound and listens on, passed as descriptor <paramref name="fd"/>.</summary>
    public static PortTunnel Adopt(int fd, Sleep.AcceptGate gate) => new(new Socket(new SafeSocketHandle(fd, ownsHandle: true)), gate);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                var client = await _gate.AcceptAsync(_listener.AcceptAsync, stoppingToken);
                _ = ServeAsync(client, _gate, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _listener.Dispose();

    private static async Task ServeAsync(Socket client, Sleep.AcceptGate gate, CancellationToken stoppingToken)
    {
        using var _ = client;
        using var ended = new Ended(gate);
        try
        {
            var port = await ReadPortAsync(client, stoppingToken);
            if (port is null)
            {
                await ReplyAsync(client, "ERR bad port line\n", stoppingToken);
                return;
            }

            using var target = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await target.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port.Value), stoppingToken);
            }
            catch (SocketException ex)
            {
                await ReplyAsync(client, $"ERR {ex.SocketErrorCode}\n", stoppingToken);
                return;
            }

            await ReplyAsync(client, "OK\n", stoppingToken);
            await Task.WhenAll(PumpAsync(client, target, stoppingToken), PumpAsync(target, client, stoppingToken));
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            // The peer went away; nothing to report to anyone.
        }
    }

    // Reads byte by byte up to the newline, so no byte of the payload that follows is consumed.
    private static async Task<int?> ReadPortAsync(Socket client, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < MaxPreamble)
        {
            if (await client.ReceiveAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            if (one[0] == (byte)'\n')
            {
                return int.TryParse(line.ToString(), System.Globalization.CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536 ? port : null;
            }

            line.Append((char)one[0]);
        }

        return null;
    }

    private static async Task ReplyAsync(Socket client, string text, CancellationToken cancellationToken) =>
        await client.SendAsync(Encoding.ASCII.GetBytes(text), cancellationToken);

    private static bool QuickAck(Socket socket, bool tcp)
    {
        if (tcp)
        {
            socket.SetRawSocketOption(IpProtoTcp, TcpQuickAck, s_on);
        }

        return true;
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            // The server inside may write an answer in pieces (headers, then body) with Nagle on, as Python's
            // http.server does: its second piece waits for our ACK of the first, which the kernel delays by up to
            // 40 ms on a kept-alive connection. Ask for quick ACKs before each read and after it (the kernel drops
            // the mode as it goes, and the second call sends an ACK it was holding back).
            var tcp = from.ProtocolType == ProtocolType.Tcp;
            int read;
            while (QuickAck(from, tcp) && (read = await from.ReceiveAsync(buffer, cancellationToken)) > 0)
            {
                QuickAck(from, tcp);
                await to.SendAsync(buffer.AsMemory(0, read), cancellationToken);
            }
        }
        finally
        {
            // Pass the end of one direction on, so request/response half-closes work.
            try
            {
                to.Shutdown(SocketShutdown.Send);
            }
            catch (SocketException)
            {
            }
        }
    }

    // Tells the gate a tunnelled connection ended, however it ended.
    private readonly struct Ended(Sleep.AcceptGate gate) : IDisposable
    {
        public void Dispose() => gate.Ended();
    }
}
