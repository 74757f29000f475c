using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Paddock.Core.SandboxRuntime;
using Paddock.Runtime.Native;

namespace Paddock.Runtime.Channel;

/// <summary>
/// The host side of a sandbox's channel. The host binds both listening sockets itself, in the sandbox's
/// bundle directory, which nothing inside the sandbox can see or write, and hands their descriptors to the
/// agent when the container is created (with <c>init.json</c>, opened for it): <c>agent.sock</c> carries the
/// agent's own HTTP endpoints, <c>tunnel.sock</c> a byte tunnel to any port inside (after a <c>&lt;port&gt;\n</c>
/// line answered by <c>OK\n</c> or <c>ERR …\n</c>). So every path the host connects to is its own, and a
/// sandbox can only ever answer on the sockets it was given: it cannot point the host anywhere else.
/// </summary>
internal static class AgentChannel
{
    /// <summary>The descriptor numbers the agent finds its listeners and its settings on (<c>--host-fds</c>).</summary>
    public const int AgentFd = 3;

    /// <inheritdoc cref="AgentFd"/>
    public const int TunnelFd = 4;

    /// <inheritdoc cref="AgentFd"/>
    public const int InitFd = 5;

    private const int Backlog = 512;
    private const int MaxAnswerLine = 256;

    // A sandbox decides how fast its side answers: the host never waits on it without a limit.
    private static readonly TimeSpan s_tunnelAnswerTimeout = TimeSpan.FromSeconds(10);

    public static string AgentSocket(string bundle) => Path.Combine(bundle, "agent.sock");

    public static string TunnelSocket(string bundle) => Path.Combine(bundle, "tunnel.sock");

    public static string InitFile(string bundle) => Path.Combine(bundle, "init.json");

    /// <summary>
    /// Writes the agent's start settings (readable by host root only: the agent gets them as an open
    /// descriptor) and binds both listening sockets; the caller passes them to the container and closes them.
    /// </summary>
    public static async Task<ChannelListeners> PrepareAsync(string bundle, SandboxSpec spec, long logLimitBytes, TimeSpan sleepAfter, CancellationToken cancellationToken)
    {
        var init = new AgentInit(spec.EnvVars, spec.EnvdAccessToken, "user", "/home/user", logLimitBytes, sleepAfter.TotalSeconds);
        await using (var file = new FileStream(InitFile(bundle), new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        {
            await JsonSerializer.SerializeAsync(file, init, ChannelJson.Default.AgentInit, cancellationToken);
        }

        var agent = UnixListener.Create(AgentSocket(bundle), Backlog);
        try
        {
            return new ChannelListeners(agent, UnixListener.Create(TunnelSocket(bundle), Backlog));
        }
        catch
        {
            Libc.Close(agent);
            throw;
        }
    }

    /// <summary>
    /// Waits until the agent answers <c>GET /health</c>. The listener exists before the agent runs, so the
    /// request waits in its queue until the agent accepts it; if the agent dies first, the queue is dropped.
    /// </summary>
    public static async Task WaitReadyAsync(string bundle, string sandboxId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var reply = new byte[12];
        try
        {
            using var socket = await ConnectSocketAsync(AgentSocket(bundle), deadline.Token);
            await socket.SendAsync("GET /health HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n"u8.ToArray(), deadline.Token);
            var filled = 0;
            int read;
            while (filled < reply.Length && (read = await socket.ReceiveAsync(reply.AsMemory(filled), deadline.Token)) > 0)
            {
                filled += read;
            }

            if (filled == reply.Length && Encoding.ASCII.GetString(reply) == "HTTP/1.1 204")
            {
                return;
            }

            throw new InvalidOperationException($"the agent of sandbox {sandboxId} answered its health check with '{Encoding.ASCII.GetString(reply, 0, filled)}'");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the agent of sandbox {sandboxId} did not answer within {timeout.TotalSeconds:0} s");
        }
        catch (SocketException ex)
        {
            throw new InvalidOperationException($"the agent of sandbox {sandboxId} went away before it answered ({ex.SocketErrorCode})", ex);
        }
    }

    public static async Task<Stream> ConnectAsync(string bundle, string sandboxId, int port, CancellationToken cancellationToken)
    {
        if (port == ISandboxRuntime.AgentPort)
        {
            return new NetworkStream(await ConnectSocketAsync(AgentSocket(bundle), cancellationToken), ownsSocket: true);
        }

        var socket = await ConnectSocketAsync(TunnelSocket(bundle), cancellationToken);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(s_tunnelAnswerTimeout);
            string answer;
            try
            {
                await socket.SendAsync(Encoding.ASCII.GetBytes($"{port}\n"), deadline.Token);
                answer = await ReadLineAsync(socket, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SandboxPortClosedException(sandboxId, port, $"the sandbox did not answer within {s_tunnelAnswerTimeout.TotalSeconds:0} s");
            }

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

    // Byte by byte, so nothing after the answer line is consumed; a line longer than any answer ends the read.
    private static async Task<string> ReadLineAsync(Socket socket, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (line.Length < MaxAnswerLine && await socket.ReceiveAsync(one, cancellationToken) == 1 && one[0] != '\n')
        {
            line.Append((char)one[0]);
        }

        return line.ToString();
    }
}

/// <summary>The two listening descriptors of a new sandbox's channel, until they are handed to its agent.</summary>
internal sealed class ChannelListeners(int agent, int tunnel) : IDisposable
{
    public int Agent { get; } = agent;

    public int Tunnel { get; } = tunnel;

    public void Dispose()
    {
        Libc.Close(Agent);
        Libc.Close(Tunnel);
    }
}

/// <summary>The agent's start settings, in envd's <c>/init</c> shape.</summary>
internal sealed record AgentInit(
    [property: System.Text.Json.Serialization.JsonPropertyName("envVars")] IReadOnlyDictionary<string, string> EnvVars,
    [property: System.Text.Json.Serialization.JsonPropertyName("accessToken")] string? AccessToken,
    [property: System.Text.Json.Serialization.JsonPropertyName("defaultUser")] string DefaultUser,
    [property: System.Text.Json.Serialization.JsonPropertyName("defaultWorkdir")] string DefaultWorkdir,
    [property: System.Text.Json.Serialization.JsonPropertyName("logLimitBytes")] long LogLimitBytes,
    [property: System.Text.Json.Serialization.JsonPropertyName("sleepAfterSeconds")] double SleepAfterSeconds);

[System.Text.Json.Serialization.JsonSerializable(typeof(AgentInit))]
internal sealed partial class ChannelJson : System.Text.Json.Serialization.JsonSerializerContext;
