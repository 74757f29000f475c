using System.Globalization;

namespace Paddock.Runtime.Crun;

/// <summary>
/// A sandbox's cgroups (v1): <c>/paddock/&lt;id&gt;</c> under each controller holds the sandbox's limits, and
/// its <c>work</c> child holds every process the agent starts. The agent itself stays in the parent, so
/// what user code can take is the parent's limit minus a reserve the agent keeps: memory (its heap and
/// buffers), pids (its threads) and a CPU share of its own. A fork bomb or a memory hog exhausts
/// <c>work</c>, is killed there, and the agent goes on answering. Only <c>work</c>'s task lists are
/// writable by the sandbox's root (the agent moves its process-starting thread there); every limit file
/// stays the host's.
/// </summary>
internal static class SandboxCgroups
{
    public const string WorkGroup = "work";

    /// <summary>Pids kept for the agent: its threads, and what it needs to start and kill processes.</summary>
    public const int AgentPidsReserve = 64;

    private const long AgentMemoryReserve = 64L * 1024 * 1024;

    private static readonly string[] s_controllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb", "systemd", "net_cls", "net_prio"];
    private static readonly string[] s_workControllers = ["memory", "pids", "cpu"];

    /// <summary>The group every sandbox's groups are made in, in each hierarchy.</summary>
    public const string ParentPath = "/paddock";

    /// <summary>The cgroup of a sandbox, under each controller.</summary>
    public static string RelativePath(string sandboxId) => $"{ParentPath}/{sandboxId}";

    public static string PathOf(string controller, string sandboxId) => $"/sys/fs/cgroup/{controller}{RelativePath(sandboxId)}";

    /// <summary>The memory user code may use: the sandbox's limit less the agent's reserve (at most a quarter).</summary>
    public static long WorkMemoryLimit(long memoryLimit) => memoryLimit - Math.Min(AgentMemoryReserve, memoryLimit / 4);

    /// <summary>Makes the <c>work</c> groups of a created container, before its init starts.</summary>
    public static void CreateWorkGroups(string sandboxId, long memoryLimit, int pidsLimit, bool swapAccounting, uint sandboxRoot)
    {
        foreach (var controller in s_workControllers)
        {
            var work = Path.Combine(PathOf(controller, sandboxId), WorkGroup);
            Directory.CreateDirectory(work);
            switch (controller)
            {
                case "memory":
                    var limit = WorkMemoryLimit(memoryLimit).ToString(CultureInfo.InvariantCulture);
                    File.WriteAllText(Path.Combine(work, "memory.limit_in_bytes"), limit);
                    if (swapAccounting)
                    {
                        File.WriteAllText(Path.Combine(work, "memory.memsw.limit_in_bytes"), limit);
                    }

                    break;
                case "pids":
                    File.WriteAllText(Path.Combine(work, "pids.max"), Math.Max(1, pidsLimit - AgentPidsReserve).ToString(CultureInfo.InvariantCulture));
                    break;
            }

            foreach (var file in new[] { "tasks", "cgroup.procs" })
            {
                if (Native.Libc.Chown(Path.Combine(work, file), sandboxRoot, sandboxRoot) != 0)
                {
                    throw Native.Libc.Error($"chown {Path.Combine(work, file)}");
                }
            }
        }
    }

    /// <summary>
    /// Waits until every process of a sandbox <c>crun pause</c> asked to freeze is frozen. v1's freezer freezes
    /// asynchronously: <c>crun pause</c> writes <c>FROZEN</c> and returns while the group may still be
    /// <c>FREEZING</c>, its processes running on (a counter kept moving after the pause; <c>crun state</c> said
    /// running). A task the freezer cannot reach at once (in a vfork, or asleep in the kernel) can hold it in
    /// <c>FREEZING</c>; as runc does, the group is thawed and frozen again, which gives that task another chance
    /// (after 100 ms, then twice as long each time, so that a loaded host's slow freeze is not undone forever).
    /// </summary>
    public static async Task WaitFrozenAsync(string sandboxId, TimeSpan within, CancellationToken cancellationToken)
    {
        var state = Path.Combine(PathOf("freezer", sandboxId), "freezer.state");
        var waited = System.Diagnostics.Stopwatch.StartNew();
        var nextTry = TimeSpan.FromMilliseconds(100);
        while (true)
        {
            // Reading the state is what moves a freezing group on to FROZEN once its last task is frozen.
            var now = File.ReadAllText(state).Trim();
            if (now == "FROZEN")
            {
                return;
            }

            if (now != "FREEZING" || waited.Elapsed >= within)
            {
                throw new TimeoutException($"sandbox {sandboxId} could not be frozen: its freezer is {now} after {waited.Elapsed.TotalMilliseconds:0} ms");
            }

            if (waited.Elapsed >= nextTry)
            {
                nextTry = waited.Elapsed * 2;
                File.WriteAllText(state, "THAWED");
                File.WriteAllText(state, "FROZEN");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(1), cancellationToken);
        }
    }

    /// <summary>
    /// Out-of-memory kills at the sandbox's own limit, rather than at <c>work</c>'s (v1 counts each group's kills
    /// apart): the agent's share was part of what ran out.
    /// </summary>
    public static long OomKillsAtSandboxLimit(string sandboxId) =>
        OomKills(Path.Combine(PathOf("memory", sandboxId), "memory.oom_control"));

    /// <summary>
    /// <see cref="Remove"/>, tried again for up to <paramref name="within"/> while some are busy: <c>crun delete -f</c> can
    /// return while a killed process is still leaving (seen once in 3000 deletes on a loaded host), and a cgroup it
    /// is still in cannot be removed yet.
    /// </summary>
    public static async Task<IReadOnlyList<(string Path, string Reason)>> RemoveAsync(string sandboxId, TimeSpan within, CancellationToken cancellationToken)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var left = Remove(sandboxId);
            if (left.Count == 0 || waited.Elapsed >= within)
            {
                return left;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    /// <summary>Removes whatever cgroups of the sandbox are left (children first); returns those that could not be.</summary>
    public static IReadOnlyList<(string Path, string Reason)> Remove(string sandboxId)
    {
        var left = new List<(string, string)>();
        foreach (var controller in s_controllers)
        {
            var path = PathOf(controller, sandboxId);
            foreach (var dir in new[] { Path.Combine(path, WorkGroup), path })
            {
                if (!Directory.Exists(dir))
                {
                    continue;
                }

                try
                {
                    Directory.Delete(dir);
                }
                catch (IOException ex)
                {
                    left.Add((dir, ex.Message));
                }
            }
        }

        return left;
    }

    /// <summary>A number a cgroup file holds, or the value of one of its <c>name value</c> lines; -1 when absent.</summary>
    public static long Read(string file, string? key = null)
    {
        try
        {
            if (key is null)
            {
                return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : -1;
            }

            foreach (var line in File.ReadLines(file))
            {
                var space = line.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0 && line.AsSpan(0, space).SequenceEqual(key)
                    && long.TryParse(line.AsSpan(space + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                {
                    return value;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return -1;
    }

    private static long OomKills(string oomControl) => Math.Max(0, Read(oomControl, "oom_kill"));
}
