using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace Paddock.Runtime.Network;

/// <summary>
/// The sandboxes' resolver: it listens on their gateway address (UDP and TCP port 53), checks each query
/// against the asking sandbox's rules (a sandbox that may not reach everything resolves only the names its
/// allowed domains match: a name is itself a way to send data out) and relays the ones it may ask to the
/// host's upstream resolvers, through the uplink. A relay and not a resolver: it keeps no cache and changes
/// nothing in the messages, so what a sandbox sees is what the upstream answered. Its sockets carry the
/// server's mark, so they leave by the uplink like the sandboxes' own traffic.
/// </summary>
internal sealed partial class DnsRelay : IAsyncDisposable
{
    private static readonly TimeSpan s_upstreamTimeout = TimeSpan.FromSeconds(3);

    // Queries (UDP in flight, TCP connections) one sandbox may hold; a resolver library sends a few at once.
    private readonly PerSandboxLimit _inFlight = new(64);

    // Queries one sandbox may send upstream: a package install resolves a few dozen names, each twice (A, AAAA).
    private readonly PerSandboxRate _rate = new(perSecond: 100, burst: 200, TimeProvider.System);

    private readonly IPAddress _listenAddress;
    private readonly IReadOnlyList<IPAddress> _upstreams;
    private readonly int _mark;
    private readonly Func<IPAddress, SandboxEgress?> _sandboxAt;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private Socket? _udp;
    private Socket? _tcp;
    private Task _loops = Task.CompletedTask;

    public DnsRelay(IPAddress listenAddress, IReadOnlyList<IPAddress> upstreams, int mark, Func<IPAddress, SandboxEgress?> sandboxAt, ILogger logger)
    {
        _listenAddress = listenAddress;
        _upstreams = upstreams;
        _mark = mark;
        _sandboxAt = sandboxAt;
        _logger = logger;
    }

    public void Start()
    {
        _udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        _udp.Bind(new IPEndPoint(_listenAddress, 53));
        _tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        _tcp.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _tcp.Bind(new IPEndPoint(_listenAddress, 53));
        _tcp.Listen(128);
        _loops = Task.WhenAll(Task.Run(() => ServeUdpAsync(_udp, _stop.Token)), Task.Run(() => AcceptLoop.RunAsync(_tcp, ServeTcpClientAsync, _stop.Token)));
    }

    /// <summary>Asks the upstream resolvers for the IPv4 addresses of <paramref name="name"/> (for the egress proxy).</summary>
    public async Task<IReadOnlyList<IPAddress>> ResolveAsync(string name, CancellationToken cancellationToken)
    {
        var id = (ushort)Random.Shared.Next(ushort.MaxValue);
        byte[] query;
        try
        {
            query = DnsMessage.AQuery(name, id);
        }
        catch (ArgumentException)
        {
            return [];
        }

        var answer = await AskUpstreamAsync(query, cancellationToken);
        return answer is null ? [] : DnsMessage.AddressesIn(answer, id);
    }

    /// <summary>Forgets what a sandbox that no longer holds <paramref name="address"/> used.</summary>
    public void Forget(IPAddress address) => _rate.Forget(address);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _udp?.Dispose();
        _tcp?.Dispose();
        try
        {
            await _loops;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
        {
        }

        _stop.Dispose();
    }

    private async Task ServeUdpAsync(Socket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        while (!cancellationToken.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await socket.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0), cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                continue;
            }

            var query = buffer.AsSpan(0, received.ReceivedBytes).ToArray();
            var client = (IPEndPoint)received.RemoteEndPoint;
            if (!_inFlight.TryEnter(client.Address))
            {
                continue;
            }

            _ = Task.Run(async () =>
            {
                try
                {
                    if (await AnswerAsync(client.Address, query, cancellationToken) is { } answer)
                    {
                        await socket.SendToAsync(answer, client, cancellationToken);
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException or OperationCanceledException)
                {
                }
                finally
                {
                    _inFlight.Exit(client.Address);
                }
            }, cancellationToken);
        }
    }

    private async Task ServeTcpClientAsync(Socket connection, CancellationToken cancellationToken)
    {
        var client = ((IPEndPoint)connection.RemoteEndPoint!).Address;
        if (!_inFlight.TryEnter(client))
        {
            connection.Dispose();
            return;
        }

        using (connection)
        {
            using var idle = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            try
            {
                var length = new byte[2];
                while (true)
                {
                    idle.CancelAfter(TimeSpan.FromSeconds(10));
                    await ReceiveExactlyAsync(connection, length, idle.Token);
                    var query = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
                    await ReceiveExactlyAsync(connection, query, idle.Token);
                    if (await AnswerAsync(client, query, idle.Token) is not { } answer)
                    {
                        return;
                    }

                    var framed = new byte[answer.Length + 2];
                    BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)answer.Length);
                    answer.CopyTo(framed, 2);
                    await connection.SendAsync(framed, idle.Token);
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or EndOfStreamException)
            {
            }
            finally
            {
                _inFlight.Exit(client);
            }
        }
    }

    // The answer to send back, or null to say nothing (not a sandbox, not a query).
    private async Task<byte[]?> AnswerAsync(IPAddress client, byte[] query, CancellationToken cancellationToken)
    {
        if (_sandboxAt(client) is not { } sandbox)
        {
            return null;
        }

        if (DnsMessage.QuestionOf(query) is not { } name)
        {
            return query.Length >= 12 ? DnsMessage.Refusal(query) : null;
        }

        if (!sandbox.Policy.MayResolve(name))
        {
            LogRefused(_logger, sandbox.SandboxId, name);
            return DnsMessage.Refusal(query);
        }

        if (!_rate.TryTake(client))
        {
            return null;
        }

        return await AskUpstreamAsync(query, cancellationToken) ?? DnsMessage.Refusal(query);
    }

    private async Task<byte[]?> AskUpstreamAsync(byte[] query, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        foreach (var upstream in _upstreams)
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            SocketMark.Set(socket, _mark);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(s_upstreamTimeout);
            try
            {
                await socket.ConnectAsync(new IPEndPoint(upstream, 53), timeout.Token);
                await socket.SendAsync(query, timeout.Token);
                while (true)
                {
                    var read = await socket.ReceiveAsync(buffer, timeout.Token);
                    // An answer must carry the query's id: anything else on this socket is not one.
                    if (read >= 2 && buffer[0] == query[0] && buffer[1] == query[1])
                    {
                        return buffer.AsSpan(0, read).ToArray();
                    }
                }
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return null;
                }
            }
        }

        return null;
    }

    private static async Task ReceiveExactlyAsync(Socket socket, byte[] buffer, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await socket.ReceiveAsync(buffer.AsMemory(read), SocketFlags.None, cancellationToken);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            read += n;
        }
    }

    [LoggerMessage(40, LogLevel.Debug, "Sandbox {SandboxId} may not resolve {Name}")]
    private static partial void LogRefused(ILogger logger, string sandboxId, string name);
}
