using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Paddock.Agent.Process;

/// <summary>
/// Starts every process the agent runs (commands, terminals, kernels) from one thread that the agent moves
/// into the sandbox's <c>work</c> cgroups at start. A process is created in the cgroups of the thread that
/// forks it, so user code, and everything it starts, counts against <c>work</c>'s memory and pid limits,
/// which the host sets below the sandbox's own: whatever user code exhausts, the agent keeps a reserve to
/// go on answering (and to kill what user code started). Outside a sandbox (no <c>work</c> group) the
/// thread simply starts processes.
/// </summary>
internal static partial class ProcessLauncher
{
    private static readonly string[] s_workGroups = ["memory", "pids", "cpu"];
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<System.Diagnostics.Process> Started)> s_queue = [];
    private static readonly Lazy<Thread> s_thread = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "paddock-launch" };
        thread.Start();
        return thread;
    });

    /// <summary>Starts the launcher thread (and joins the work groups) before anything needs it.</summary>
    public static void Start() => _ = s_thread.Value;

    /// <summary>Starts a process as <see cref="System.Diagnostics.Process.Start(ProcessStartInfo)"/> does, from the launcher thread.</summary>
    public static Task<System.Diagnostics.Process> StartAsync(ProcessStartInfo info)
    {
        _ = s_thread.Value;
        var started = new TaskCompletionSource<System.Diagnostics.Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        s_queue.Add((info, started));
        return started.Task;
    }

    private static void Run()
    {
        JoinWorkGroups();
        foreach (var (info, started) in s_queue.GetConsumingEnumerable())
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
