using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Paddock.Agent.Sleep;

/// <summary>Kestrel's socket transport with every accept made through the agent's <see cref="AcceptGate"/>.</summary>
internal sealed class GatedTransport(IConnectionListenerFactory sockets, AcceptGate gate) : IConnectionListenerFactory
{
    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default) =>
        new Listener(await sockets.BindAsync(endpoint, cancellationToken), gate);

    /// <summary>
    /// Counts a connection's end for the gate; the first step of every listener's connection pipeline, so it runs
    /// for each connection Kestrel accepted through the gate.
    /// </summary>
    public static Func<ConnectionDelegate, ConnectionDelegate> CountEnds(AcceptGate gate) => next => async connection =>
    {
        try
        {
            await next(connection);
        }
        finally
        {
            gate.Ended();
        }
    };

    private sealed class Listener(IConnectionListener sockets, AcceptGate gate) : IConnectionListener
    {
        public EndPoint EndPoint => sockets.EndPoint;

        public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default) =>
            gate.AcceptAsync(sockets.AcceptAsync, cancellationToken);

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => sockets.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => sockets.DisposeAsync();
    }
}
