using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Paddock.Agent.Tests;

public class PortTunnelTests
{
    private static async Task<string> ReadLineAsync(Socket socket)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await socket.ReceiveAsync(one) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }

    [Fact]
    public async Task Ready_MeansTheTunnelAndTheInterpreterPortListen()
    {
        // The host sends traffic for any port as soon as /health answers: nothing may still be starting.
        await using var agent = await AgentProcess.StartAsync();
        using var tunnel = await agent.OpenTunnelAsync();
        await tunnel.SendAsync(Encoding.ASCII.GetBytes($"{agent.InterpreterPort}\n"));
        Assert.Equal("OK", await ReadLineAsync(tunnel));
    }

    [Fact]
    public async Task Tunnel_CarriesBytesBothWays_ToAPortInside()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var server = new TcpListener(IPAddress.Loopback, 0);
        server.Start();
        var port = ((IPEndPoint)server.LocalEndpoint).Port;

        // An echo server that upper-cases what it gets until the tunnel half-closes.
        var echo = Task.Run(async () =>
        {
            using var peer = await server.AcceptSocketAsync();
            var buffer = new byte[1024];
            int read;
            while ((read = await peer.ReceiveAsync(buffer)) > 0)
            {
                await peer.SendAsync(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(buffer, 0, read).ToUpperInvariant()));
            }

            peer.Shutdown(SocketShutdown.Send);
        });

        using var tunnel = await agent.OpenTunnelAsync();
        await tunnel.SendAsync(Encoding.ASCII.GetBytes($"{port}\n"));
        Assert.Equal("OK", await ReadLineAsync(tunnel));

        await tunnel.SendAsync("hello tunnel"u8.ToArray());
        var reply = new byte[64];
        var got = await tunnel.ReceiveAsync(reply);
        Assert.Equal("HELLO TUNNEL", Encoding.ASCII.GetString(reply, 0, got));

        tunnel.Shutdown(SocketShutdown.Send);
        Assert.Equal(0, await tunnel.ReceiveAsync(reply));
        await echo.WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Tunnel_ToAClosedPort_SaysSo()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var tunnel = await agent.OpenTunnelAsync();
        await tunnel.SendAsync(Encoding.ASCII.GetBytes($"{AgentProcess.FreePort()}\n"));
        Assert.Equal("ERR ConnectionRefused", await ReadLineAsync(tunnel));
    }

    [Theory]
    [InlineData("0\n")]
    [InlineData("70000\n")]
    [InlineData("http\n")]
    [InlineData("12345678901234567890")]
    public async Task Tunnel_RefusesABadPortLine(string preamble)
    {
        await using var agent = await AgentProcess.StartAsync();
        using var tunnel = await agent.OpenTunnelAsync();
        await tunnel.SendAsync(Encoding.ASCII.GetBytes(preamble));
        Assert.Equal("ERR bad port line", await ReadLineAsync(tunnel));
    }

    [Fact]
    public async Task Tunnel_ReachesTheAgentItself_OnTheEnvdPort()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var tunnel = await agent.OpenTunnelAsync();
        await tunnel.SendAsync(Encoding.ASCII.GetBytes($"{agent.Port}\n"));
        Assert.Equal("OK", await ReadLineAsync(tunnel));
        await tunnel.SendAsync("GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 204", await ReadLineAsync(tunnel), StringComparison.Ordinal);
    }
}
