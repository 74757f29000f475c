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
    private static Timer? s_timer;

    /// <summary>Starts watching for quiet moments.</summary>
    public static void Start() => s_timer = new Timer(_ => TrimIfQuiet(), null, s_quiet, s_quiet);

    /// <summary>Notes work (a request): the next quiet moment trims.</summary>
    public static void Touch()
    {
        Volatile.Write(ref s_lastActivity, Environment.TickCount64);
        Volatile.Write(ref s_dirty, 1);
    }

    private static void TrimIfQuiet()
    {
        if (Volatile.Read(ref s_dirty) == 0 || Environment.TickCount64 - Volatile.Read(ref s_lastActivity) < (long)s_quiet.TotalMilliseconds)
        {
            return;
        }

        Volatile.Write(ref s_dirty, 0);
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.KeepAlive(s_timer);
    }
}
