using System.Diagnostics;
using System.Globalization;

namespace Paddock.Agent.Process;

/// <summary>
/// Starts every process the agent runs (commands, terminals, kernels) from one thread that moves itself
/// into the sandbox's <c>work</c> cgroups when it starts. A process is created in the cgroups of the thread that
/// forks it, so user code, and everything it starts, counts against <c>work</c>'s memory and pid limits,
/// which the host sets below the sandbox's own: whatever user code exhausts, the agent keeps a reserve to
/// go on answering (and to kill what user code started). Outside a sandbox (no <c>work</c> group) the
/// thread simply starts processes.
/// </summary>
internal static partial class ProcessLauncher
{
    // An idle sandbox holds no launcher: the thread starts with the first process and exits once none has been
    // started for this long (each agent thread is a host task for as long as it lives). A new one joins the work
    // groups again, a few writes, well under a process start.
    private static readonly TimeSpan s_idle = TimeSpan.FromSeconds(5);
    private static readonly string[] s_workGroups = ["memory", "pids", "cpu"];
    private static readonly Queue<(ProcessStartInfo Info, TaskCompletionSource<System.Diagnostics.Process> Started)> s_queue = [];
    private static bool s_running;

    /// <summary>True while the launcher thread exists (for tests and the agent's own checks).</summary>
    public static bool Running
    {
        get
        {
            lock (s_queue)
            {
                return s_running;
            }
        }
    }

    /// <summary>Starts a process as <see cref="System.Diagnostics.Process.Start(ProcessStartInfo)"/> does, from the launcher thread.</summary>
    public static Task<System.Diagnostics.Process> StartAsync(ProcessStartInfo info)
    {
        var started = new TaskCompletionSource<System.Diagnostics.Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (s_queue)
        {
            s_queue.Enqueue((info, started));
            if (!s_running)
            {
                s_running = true;
                new Thread(Run) { IsBackground = true, Name = "paddock-launch" }.UnsafeStart();
            }

            Monitor.Pulse(s_queue);
        }

        return started.Task;
    }

    private static void Run()
    {
        JoinWorkGroups();
        while (Next() is var (info, started))
        {
            try
            {
                started.SetResult(System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"{info.FileName} did not start"));
            }
            catch (Exception ex)
            {
                started.SetException(ex);
            }
        }
    }

    // The next request, or nothing once none came for s_idle (the thread then ends, marked so under the same lock
    // a request takes: a request either finds it running and is taken, or finds it gone and starts another).
    private static (ProcessStartInfo, TaskCompletionSource<System.Diagnostics.Process>)? Next()
    {
        lock (s_queue)
        {
            while (s_queue.Count == 0)
            {
                if (!Monitor.Wait(s_queue, s_idle) && s_queue.Count == 0)
                {
                    s_running = false;
                    return null;
                }
            }

            return s_queue.Dequeue();
        }
    }

    // In cgroup v1 a single thread can change groups; the host made work's task lists writable by the
    // sandbox's root (and nothing else of the sandbox's cgroups).
    private static void JoinWorkGroups()
    {
        var tid = GetThreadId().ToString(CultureInfo.InvariantCulture);
        foreach (var controller in s_workGroups)
        {
            var tasks = $"/sys/fs/cgroup/{controller}/work/tasks";
            if (!File.Exists(tasks))
            {
                continue;
            }

            try
            {
                File.WriteAllText(tasks, tid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                AgentLog.Error("Could not join the work cgroup: user processes share the agent's reserve", ("controller", controller), ("error", ex.Message));
            }
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "gettid")]
    private static partial int GetThreadId();
}
