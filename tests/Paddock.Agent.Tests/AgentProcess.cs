using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Paddock.Agent.Tests;

/// <summary>The agent binary running on a temporary channel directory and a free loopback port.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly System.Text.StringBuilder _stderr = new();

    private AgentProcess(Process process, string channelDir, int port)
    {
        _process = process;
        ChannelDir = channelDir;
        Port = port;
        process.ErrorDataReceived += (_, e) =>
        {
            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
        Http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(channelDir, "agent.sock")), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://agent") };
    }

    public string ChannelDir { get; }

    /// <summary>The agent's pid.</summary>
    public int ProcessId => _process.Id;

    /// <summary>What the agent wrote to stderr so far (its failures).</summary>
    public string StandardErrorText => _stderr.ToString();

    public int Port { get; }

    /// <summary>The code interpreter's port (49999 in a sandbox).</summary>
    public int InterpreterPort { get; private init; }

    /// <summary>An HTTP client speaking to the agent over its channel socket, as the host does.</summary>
    public HttpClient Http { get; }

    public static async Task<AgentProcess> StartAsync(string? initJson = null)
    {
        var binary = Binary();
        var channel = Directory.CreateTempSubdirectory("paddock-agent-").FullName;
        if (initJson is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(channel, "init.json"), initJson);
        }

        var port = FreePort();
        var info = new ProcessStartInfo(binary) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        var interpreterPort = FreePort();
        foreach (var arg in new[] { "--channel", channel, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--interpreter-port", interpreterPort.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        var process = Process.Start(info)!;
        var agent = new AgentProcess(process, channel, port) { InterpreterPort = interpreterPort };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (await AnswersHealthAsync(channel))
            {
                return agent;
            }

            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(20))
            {
                process.Kill();
                var error = agent.StandardErrorText;
                await agent.DisposeAsync();
                throw new InvalidOperationException($"the agent did not start: {error}");
            }

            await Task.Delay(1);
        }
    }

    // Polled the way the host's runtime polls (raw, every millisecond), so tests see the agent at the
    // first moment the host would call it ready.
    private static async Task<bool> AnswersHealthAsync(string channel)
    {
        try
        {
            using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(channel, "agent.sock")));
            await socket.SendAsync("GET /health HTTP/1.1\r\nHost: agent\r\nConnection: close\r\n\r\n"u8.ToArray());
            var reply = new byte[12];
            return await socket.ReceiveAsync(reply) == 12 && reply.AsSpan().SequenceEqual("HTTP/1.1 204"u8);
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async Task<Socket> OpenTunnelAsync()
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(Path.Combine(ChannelDir, "tunnel.sock")));
        return socket;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(ChannelDir, recursive: true);
    }

    // The Native AOT agent the test script publishes (what ships), else the plain build of the solution.
    private static string Binary()
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[]
            {
                Path.Combine(dir.FullName, "artifacts", "agent", "paddock-agent"),
                Path.Combine(dir.FullName, "src", "Paddock.Agent", "bin", configuration, "net10.0", "linux-x64", "paddock-agent"),
            })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        throw new FileNotFoundException("paddock-agent was not found: run dotnet publish src/Paddock.Agent -c Release -o artifacts/agent (scripts/test.sh does)");
    }
}
