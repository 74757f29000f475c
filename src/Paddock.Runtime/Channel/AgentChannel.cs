using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Paddock.Core.Runtime;

namespace Paddock.Runtime.Channel;

/// <summary>
/// The host side of a sandbox's channel: a directory bind-mounted into the sandbox at
/// <c>/run/paddock</c>, where the agent listens on <c>agent.sock</c> (its own HTTP endpoints) and
/// <c>tunnel.sock</c> (a byte tunnel to any port inside, after a <c>&lt;port&gt;\n</c> line answered by
/// <c>OK\n</c> or <c>ERR …\n</c>). The host leaves <c>init.json</c> there before start.
/// </summary>
internal static class AgentChannel
{
    public const string InitFile = "init.json";

    public static string AgentSocket(string channelDir) => Path.Combine(channelDir, "agent.sock");

    public static string TunnelSocket(string channelDir) => Path.Combine(channelDir, "tunnel.sock");

    /// <summary>Writes what the agent needs at start; readable only by the sandbox's root.</summary>
    public static async Task WriteInitAsync(string channelDir, SandboxSpec spec, uint hostRoot, CancellationToken cancellationToken)
    {
        var path = Path.Combine(channelDir, InitFile);
        var init = new AgentInit(spec.EnvVars, spec.EnvdAccessToken, "user", "/home/user");
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(init, ChannelJson.Default.AgentInit), cancellationToken);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (Native.Libc.Chown(path, hostRoot, hostRoot) != 0)
        {
            throw Native.Libc.Error($"chown {path}");
        }
    }

    /// <summary>Waits until the agent answers <c>GET /health</c> on its socket.</summary>
    public static async Task WaitReadyAsync(string channelDir, string sandboxId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var request = "GET /health HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n"u8.ToArray();
        var reply = new byte[16];
        while (true)
        {
            try
            {
                using var socket = await ConnectSocketAsync(AgentSocket(channelDir), cancellationToken);
                await socket.SendAsync(request, cancellationToken);
                var read = await socket.ReceiveAsync(reply, cancellationToken);
                if (read >= 12 && Encoding.ASCII.GetString(reply, 0, 12) == "HTTP/1.1 204")
                {
                    return;
                }
            }
            catch (SocketException)
            {
                // Not listening yet.
            }

            if (watch.Elapsed > timeout)
            {
                throw new TimeoutException($"the agent of sandbox {sandboxId} did not answer within {timeout.TotalSeconds:0} s");
            }

            await Task.Delay(1, cancellationToken);
        }
    }

    public static async Task<Stream> ConnectAsync(string channelDir, string sandboxId, int port, CancellationToken cancellationToken)
    {
        if (port == ISandboxRuntime.AgentPort)
        {
            return new NetworkStream(await ConnectSocketAsync(AgentSocket(channelDir), cancellationToken), ownsSocket: true);
        }

        var socket = await ConnectSocketAsync(TunnelSocket(channelDir), cancellationToken);
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes($"{port}\n"), cancellationToken);
            var answer = await ReadLineAsync(socket, cancellationToken);
            if (answer != "OK")
            {
                throw new SandboxPortClosedException(sandboxId, port, answer.StartsWith("ERR ", StringComparison.Ordinal) ? answer[4..] : answer);
            }

            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static async Task<Socket> ConnectSocketAsync(string path, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(path), cancellationToken);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    // Byte by byte, so nothing after the answer line is consumed.
    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < 256 && await socket.ReceiveAsync(one, cancellationToken) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }
}

/// <summary>The agent's start settings, in envd's <c>/init</c> shape.</summary>
internal sealed record AgentInit(
    [property: System.Text.Json.Serialization.JsonPropertyName("envVars")] IReadOnlyDictionary<string, string> EnvVars,
    [property: System.Text.Json.Serialization.JsonPropertyName("accessToken")] string? AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("defaultUser")] string DefaultUser,
    [property: System.Text.Json.Serialization.JsonPropertyName("defaultWorkdir")] string DefaultWorkdir);

[System.Text.Json.Serialization.JsonSerializable(typeof(AgentInit))]
internal sealed partial class ChannelJson : System.Text.Json.Serialization.JsonSerializerContext;
