using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Paddock.Runtime.Network;

/// <summary>
/// Where the web connections (ports 80 and 443) of sandboxes whose rules name domains are redirected: it
/// reads the host name each asks for (TLS SNI, HTTP Host) before anything reaches the outside and judges
/// the connection by E2B's precedence. A name an allowed domain matches is dialled by that name, resolved
/// again by the host's upstream resolvers, never at an address the sandbox chose: an IP literal, a forged
/// <c>/etc/hosts</c> entry or another name for the same address gets no further than its address's rules.
/// Addresses no sandbox may reach are refused whatever the name. The bytes read are passed on unchanged;
/// TLS is never terminated. Open connections are judged again when a sandbox's rules change.
/// </summary>
internal sealed partial class EgressProxy : IAsyncDisposable
{
    private const int SolIp = 0;
    private const int SoOriginalDst = 80;
    private const int MaxPreface = 16 * 1024;
    private static readonly TimeSpan s_prefaceTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan s_dialTimeout = TimeSpan.FromSeconds(10);

    private readonly IPAddress _listenAddress;
    private readonly int _mark;
    private readonly ReachableRanges _ranges;
    private readonly DnsRelay _resolver;
    private readonly Func<IPAddress, SandboxEgress?> _sandboxAt;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<ProxiedConnection, byte> _open = new();

    // Connections one sandbox may hold through the proxy (each is two of the server's sockets), and all of them.
    private readonly PerSandboxLimit _perSandbox = new(512);
    private const int MaxConnections = 8192;

    // Kernel buffers per socket: enough for full speed on a fast path, but a sandbox that opens downloads and
    // never reads them holds this much, not the kernel's maximum (megabytes) per socket.
    private const int SocketBuffer = 256 * 1024;
    private Socket? _listener;
    private Task _loop = Task.CompletedTask;

    public EgressProxy(IPAddress listenAddress, int mark, ReachableRanges ranges, DnsRelay resolver, Func<IPAddress, SandboxEgress?> sandboxAt, ILogger logger)
    {
        _listenAddress = listenAddress;
        _mark = mark;
        _ranges = ranges;
        _resolver = resolver;
        _sandboxAt = sandboxAt;
        _logger = logger;
    }

    /// <summary>The port it listens on (chosen by the kernel).</summary>
    public int Port { get; private set; }

    public void Start()
    {
        _listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _listener.Bind(new IPEndPoint(_listenAddress, 0));
        _listener.Listen(512);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _loop = Task.Run(() => AcceptLoop.RunAsync(_listener, ServeAsync, _stop.Token));
    }

    /// <summary>Closes the open connections of the sandbox at <paramref name="address"/> that its rules no longer let through.</summary>
    public void Rejudge(IPAddress address)
    {
        var sandbox = _sandboxAt(address);
        foreach (var connection in _open.Keys.Where(c => c.Source.Equals(address)))
        {
            if (sandbox is null || !Allows(sandbox, connection.Host, connection.Destination))
            {
                LogClosed(_logger, connection.SandboxId, connection.Host ?? connection.Destination.ToString());
                connection.Close();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Dispose();
        foreach (var connection in _open.Keys)
        {
            connection.Close();
        }

        try
        {
            await _loop;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeAsync(Socket client, CancellationToken cancellationToken)
    {
        if (_open.Count >= MaxConnections)
        {
            client.Dispose();
            return;
        }

        Socket? upstream = null;
        ProxiedConnection? connection = null;
        var source = ((IPEndPoint)client.RemoteEndPoint!).Address;
        if (!_perSandbox.TryEnter(source))
        {
            client.Dispose();
            return;
        }

        try
        {
            // Only connections the firewall redirected: one made to the proxy's own address has nowhere to go.
            if (_sandboxAt(source) is not { } sandbox || OriginalDestination(client) is not { } destination
                || destination.Address.Equals(_listenAddress))
            {
                return;
            }

            client.ReceiveBufferSize = SocketBuffer;
            client.SendBufferSize = SocketBuffer;

            // The name comes from the first bytes; a client that sends nothing in time names nothing.
            var preface = new byte[MaxPreface];
            var read = 0;
            string? host = null;
            var refused = false;
            using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                wait.CancelAfter(s_prefaceTimeout);
                try
                {
                    while (read < preface.Length)
                    {
                        var n = await client.ReceiveAsync(preface.AsMemory(read), wait.Token);
                        if (n == 0)
                        {
                            break;
                        }

                        read += n;
                        var verdict = destination.Port == 443
                            ? ConnectionPreface.ReadServerName(preface.AsSpan(0, read), out host)
                            : ConnectionPreface.ReadHttpHost(preface.AsSpan(0, read), out host, out refused);
                        if (verdict == ConnectionPreface.Verdict.Complete)
                        {
                            break;
                        }
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                }
            }

            var target = refused ? null : await TargetOfAsync(sandbox, host, destination, cancellationToken);
            if (target is null)
            {
                LogRefused(_logger, sandbox.SandboxId, host ?? "(no name)", destination.ToString());
                return;
            }

            upstream = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            {
                NoDelay = true,
                ReceiveBufferSize = SocketBuffer,
                SendBufferSize = SocketBuffer,
            };
            SocketMark.Set(upstream, _mark);
            using (var dial = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                dial.CancelAfter(s_dialTimeout);
                await upstream.ConnectAsync(target, dial.Token);
            }

            client.NoDelay = true;
            connection = new ProxiedConnection(sandbox.SandboxId, source, host, target.Address, client, upstream);
            _open[connection] = 0;

            // Its rules may have changed while its name was read and dialled (a slow client, an update
            // meanwhile): judged again now that an update's rejudging can see it.
            if (_sandboxAt(source) is not { } current || !Allows(current, host, target.Address))
            {
                return;
            }
            if (read > 0)
            {
                await upstream.SendAsync(preface.AsMemory(0, read), SocketFlags.None, cancellationToken);
            }

            await Task.WhenAll(PumpAsync(client, upstream, cancellationToken), PumpAsync(upstream, client, cancellationToken));
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException or ObjectDisposedException or IOException)
        {
        }
        finally
        {
            if (connection is not null)
            {
                _open.TryRemove(connection, out _);
            }

            upstream?.Dispose();
            client.Dispose();
            _perSandbox.Exit(source);
        }
    }

    // Where to connect for this sandbox, or null to refuse: E2B's precedence, behind the ranges no rule opens.
    private async Task<IPEndPoint?> TargetOfAsync(SandboxEgress sandbox, string? host, IPEndPoint destination, CancellationToken cancellationToken)
    {
        if (sandbox.Policy.AllowsHost(host))
        {
            foreach (var address in await _resolver.ResolveAsync(host!, cancellationToken))
            {
                if (!_ranges.Blocks(address))
                {
                    return new IPEndPoint(address, destination.Port);
                }
            }

            return null;
        }

        return !_ranges.Blocks(destination.Address) && sandbox.Policy.Allows(destination.Address) ? destination : null;
    }

    private bool Allows(SandboxEgress sandbox, string? host, IPAddress destination) =>
        sandbox.Policy.AllowsHost(host) || (!_ranges.Blocks(destination) && sandbox.Policy.Allows(destination));

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var n = await from.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, n), SocketFlags.None, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // One side is gone: end the other too, or a half-closed pair would wait forever.
            from.Dispose();
            to.Dispose();
        }
    }

    // Where the sandbox meant to connect before the firewall redirected it here.
    private static IPEndPoint? OriginalDestination(Socket socket)
    {
        var address = new byte[16];
        var length = socket.GetRawSocketOption(SolIp, SoOriginalDst, address);
        if (length < 8)
        {
            return null;
        }

        var port = BinaryPrimitives.ReadUInt16BigEndian(address.AsSpan(2));
        return new IPEndPoint(new IPAddress(address.AsSpan(4, 4)), port);
    }

    [LoggerMessage(41, LogLevel.Information, "Sandbox {SandboxId}: refused a connection to {Host} at {Destination}")]
    private static partial void LogRefused(ILogger logger, string sandboxId, string host, string destination);

    [LoggerMessage(42, LogLevel.Information, "Sandbox {SandboxId}: closed a connection to {Target} its new rules do not allow")]
    private static partial void LogClosed(ILogger logger, string sandboxId, string target);

    private sealed class ProxiedConnection(string sandboxId, IPAddress source, string? host, IPAddress destination, Socket client, Socket upstream)
    {
        public string SandboxId => sandboxId;

        public IPAddress Source => source;

        public string? Host => host;

        public IPAddress Destination => destination;

        public void Close()
        {
            client.Dispose();
            upstream.Dispose();
        }
    }
}
