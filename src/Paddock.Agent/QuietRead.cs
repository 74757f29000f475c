using System.Threading.Channels;

namespace Paddock.Agent;

/// <summary>Reading a stream of events that must send keepalives while it is quiet.</summary>
internal static class QuietRead
{
    /// <summary>
    /// The next item, waiting at most <paramref name="quiet"/>: <c>(item, false)</c>; <c>(null, false)</c> when
    /// nothing came in that time (time for a keepalive); <c>(null, true)</c> once the channel has completed.
    /// Cancelling <paramref name="cancellationToken"/> throws, as usual.
    /// </summary>
    public static async Task<(T? Item, bool Completed)> ReadWithinAsync<T>(this ChannelReader<T> reader, TimeSpan quiet, CancellationToken cancellationToken)
        where T : class
    {
        using var quietFor = new CancellationTokenSource(quiet, OnDemandTimeProvider.Instance);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quietFor.Token);
        try
        {
            return await reader.WaitToReadAsync(wait.Token) ? (await reader.ReadAsync(wait.Token), false) : (null, true);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, false);
        }
    }
}
