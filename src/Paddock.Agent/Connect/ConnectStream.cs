using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Agent.Connect;

/// <summary>
/// The body of envd's server streams: messages as they come, a keepalive after each quiet
/// <c>Keepalive-Ping-Interval</c> (90 s when absent), and <c>deadline_exceeded</c> once the caller's
/// <c>Connect-Timeout-Ms</c> passes.
/// </summary>
internal static class ConnectStream
{
    private static readonly TimeSpan s_defaultKeepalive = TimeSpan.FromSeconds(90);

    /// <summary>The caller's deadline, if it set one.</summary>
    public static TimeSpan? Deadline(HttpRequest request) =>
        long.TryParse(request.Headers["Connect-Timeout-Ms"], CultureInfo.InvariantCulture, out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : null;

    /// <summary>
    /// Writes <paramref name="wrap"/>(message) for each message until <paramref name="messages"/> completes,
    /// and <paramref name="keepalive"/>() while it is quiet. At the deadline, awaits <paramref name="onDeadline"/>
    /// and throws <c>deadline_exceeded</c>; if the caller goes away, the cancellation propagates.
    /// </summary>
    public static async Task PumpAsync(
        HttpContext context,
        ChannelReader<JsonObject> messages,
        Func<JsonObject, JsonObject> wrap,
        Func<JsonObject> keepalive,
        Func<Task>? onDeadline = null)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        using var deadline = new CancellationTokenSource();
        if (Deadline(context.Request) is { } timeout)
        {
            deadline.CancelAfter(timeout);
        }

        var interval = double.TryParse(context.Request.Headers["Keepalive-Ping-Interval"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : s_defaultKeepalive;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, deadline.Token);
        while (true)
        {
            (JsonObject? Item, bool Completed) next;
            try
            {
                next = await messages.ReadWithinAsync(interval, stop.Token);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !aborted.IsCancellationRequested)
            {
                if (onDeadline is not null)
                {
                    await onDeadline();
                }

                throw new ConnectException(ConnectCode.DeadlineExceeded, "context deadline exceeded");
            }

            if (next.Completed)
            {
                return;
            }

            await ConnectProtocol.WriteEnvelopeAsync(response, next.Item is { } item ? wrap(item) : keepalive(), aborted);
        }
    }
}
