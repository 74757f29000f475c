namespace Paddock.Agent;

/// <summary>
/// Gives the agent's memory back once a burst of work is over. The agent stays on for the sandbox's whole life and
/// is idle most of it, but the collector keeps the heap a burst grew to (a used sandbox's agent held 23 MiB of
/// anonymous memory instead of 3, still after idling): a few seconds after the last request, one aggressive
/// collection compacts and decommits it. Nothing happens while requests keep coming or when nothing happened.
/// </summary>
internal static class IdleTrimmer
{
    private static readonly TimeSpan s_quiet = TimeSpan.FromSeconds(3);
    private static long s_lastActivity = Environment.TickCount64;
    private static int s_armed;
    private static Timer? s_timer;

    /// <summary>Gets ready to watch for quiet moments; nothing runs until the first request.</summary>
    public static void Start() => s_timer = new Timer(_ => TrimIfQuiet(), null, Timeout.Infinite, Timeout.Infinite);

    /// <summary>Notes work (a request): the next quiet moment trims.</summary>
    public static void Touch()
    {
        Volatile.Write(ref s_lastActivity, Environment.TickCount64);

        // One-shot, armed by work: an idle agent has no timer firing, so its thread pool's workers time out and exit
        // (a periodic timer kept two of them alive for nothing).
        if (Interlocked.Exchange(ref s_armed, 1) == 0)
        {
            s_timer?.Change(s_quiet, Timeout.InfiniteTimeSpan);
        }
    }

    private static void TrimIfQuiet()
    {
        var last = Volatile.Read(ref s_lastActivity);
        var idleFor = Environment.TickCount64 - last;
        if (idleFor < (long)s_quiet.TotalMilliseconds)
        {
            s_timer?.Change(TimeSpan.FromMilliseconds(s_quiet.TotalMilliseconds - idleFor), Timeout.InfiniteTimeSpan);
            return;
        }

        Volatile.Write(ref s_armed, 0);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        // Work that came between the check and the disarm found the timer armed and did not arm it: it does now.
        if (Volatile.Read(ref s_lastActivity) != last && Interlocked.Exchange(ref s_armed, 1) == 0)
        {
            s_timer?.Change(s_quiet, Timeout.InfiniteTimeSpan);
        }
    }
}
