using System.Net.Sockets;

namespace Paddock.Runtime.Network;

/// <summary>
/// Accepts connections on a listener the server holds for sandboxes (the resolver's TCP side, the egress proxy)
/// and serves each on its own task until the listener is closed or the token cancelled. A failed accept (out of
/// descriptors, most likely, when sandboxes open many connections) waits a moment for open ones to end rather
/// than spinning.
/// </summary>
internal static class AcceptLoop
{
    public static async Task RunAsync(Socket listener, Func<Socket, CancellationToken, Task> serve, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            Socket connection;
            try
            {
                connection = await listener.AcceptAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                try
                {
                    await Task.Delay(50, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                continue;
            }

            _ = Task.Run(() => serve(connection, cancellationToken), cancellationToken);
        }
    }
}
