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
    private static int s_dirty;
    private static int s_armed;
    private static ITimer? s_timer;

    /// <summary>Gets ready to watch for quiet moments; nothing ticks until the first request.</summary>
    public static void Start() => s_timer = OnDemandTimeProvider.Instance.CreateTimer(_ => Tick(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

    /// <summary>Notes work (a request): the next quiet moment trims.</summary>
    public static void Touch()
    {
        Volatile.Write(ref s_lastActivity, Environment.TickCount64);
        Volatile.Write(ref s_dirty, 1);
        Arm();
    }

    // Ticks while there is work to trim after, and stops once a tick finds nothing new: an idle agent has no timer
    // armed, so its thread pool's workers and the timer thread exit (a timer ticking for ever kept two workers alive).
    private static void Tick()
    {
        if (Volatile.Read(ref s_dirty) == 0)
        {
            Volatile.Write(ref s_armed, 0);
            s_timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

            // A request between the check and the stop found the timer armed: it ticks again for it.
            if (Volatile.Read(ref s_dirty) == 1)
            {
                Arm();
            }

            return;
        }

        if (Environment.TickCount64 - Volatile.Read(ref s_lastActivity) < (long)s_quiet.TotalMilliseconds)
        {
            return;
        }

        Volatile.Write(ref s_dirty, 0);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    private static void Arm()
    {
        if (Interlocked.Exchange(ref s_armed, 1) == 0)
        {
            s_timer?.Change(s_quiet, s_quiet);
        }
    }
}
