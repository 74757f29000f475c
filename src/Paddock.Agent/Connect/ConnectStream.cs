using System.Diagnostics;
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
    private static readonly object s_arrivalKey = new();

    /// <summary>
    /// Starts the caller's clock: its <c>Connect-Timeout-Ms</c> counts from here (the request's arrival), as envd's
    /// context deadline does, not from when a process has started or a stream begins. Called first by each stream.
    /// </summary>
    public static void StartClock(HttpContext context) => context.Items[s_arrivalKey] = Stopwatch.GetTimestamp();

    /// <summary>How long until the caller's deadline passes (zero once it has), if it set one.</summary>
    public static TimeSpan? Remaining(HttpContext context)
    {
        if (!long.TryParse(context.Request.Headers["Connect-Timeout-Ms"], CultureInfo.InvariantCulture, out var ms) || ms <= 0)
        {
            return null;
        }

        var elapsed = context.Items[s_arrivalKey] is long arrival ? Stopwatch.GetElapsedTime(arrival) : TimeSpan.Zero;
        var remaining = TimeSpan.FromMilliseconds(ms) - elapsed;
        return remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero;
    }

    /// <summary>
    /// Writes <paramref name="wrap"/>(message) for each message until <paramref name="messages"/> completes,
    /// and <paramref name="keepalive"/>() while it is quiet. At the deadline, calls <paramref name="onDeadline"/>
    /// (which must not wait) and throws <c>deadline_exceeded</c>; so does a message that <paramref name="endsByDeadline"/> says was caused
    /// by the deadline (the end of a process killed for it), which is never passed on as an ordinary end. If the
    /// caller goes away, the cancellation propagates.
    /// </summary>
    public static async Task PumpAsync(
        HttpContext context,
        ChannelReader<JsonObject> messages,
        Func<JsonObject, JsonObject> wrap,
        Func<JsonObject> keepalive,
        Action? onDeadline = null,
        Func<JsonObject, bool>? endsByDeadline = null)
    {
        var response = context.Response;
        var aborted = context.RequestAborted;
        using var deadline = new CancellationTokenSource(Timeout.InfiniteTimeSpan, OnDemandTimeProvider.Instance);
        var pumping = Stopwatch.GetTimestamp();
        TimeSpan? earlyKeepalive = null;
        if (Remaining(context) is { } timeout)
        {
            deadline.CancelAfter(timeout);

            // One keepalive halfway to the deadline: a client whose read timeout equals the deadline (E2B's Python SDK
            // 2.15 - 2.26 restarts a read timer of the command's timeout on every chunk) then still reads the deadline
            // error, however long the start event took to reach it.
            earlyKeepalive = timeout / 2;
        }

        var interval = double.TryParse(context.Request.Headers["Keepalive-Ping-Interval"], CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : s_defaultKeepalive;

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted, deadline.Token);
        while (true)
        {
            var quiet = interval;
            if (earlyKeepalive is { } at)
            {
                var until = at - Stopwatch.GetElapsedTime(pumping);
                quiet = until < quiet ? (until > TimeSpan.Zero ? until : TimeSpan.Zero) : quiet;
            }

            (JsonObject? Item, bool Completed) next;
            try
            {
                next = quiet > TimeSpan.Zero ? await messages.ReadWithinAsync(quiet, stop.Token) : (null, false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !aborted.IsCancellationRequested)
            {
                onDeadline?.Invoke();
                throw DeadlineExceeded();
            }

            if (next.Item is null && !next.Completed)
            {
                earlyKeepalive = null;
            }

            if (next.Item is { } message && endsByDeadline?.Invoke(message) == true)
            {
                throw DeadlineExceeded();
            }

            if (next.Completed)
            {
                return;
            }

            await ConnectProtocol.WriteEnvelopeAsync(response, next.Item is { } item ? wrap(item) : keepalive(), aborted);
        }
    }

    private static ConnectException DeadlineExceeded() => new(ConnectCode.DeadlineExceeded, "context deadline exceeded");
}
