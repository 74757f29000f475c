using System.Globalization;

namespace Paddock.Runtime.Host;

/// <summary>
/// The host's limits that cap how many sandboxes it can hold, read at start from <c>/proc</c>, each with the number of
/// sandboxes it allows and the setting an operator raises (README, "Many sandboxes on one host"). Estimates use what a
/// sandbox costs here: host tasks (its agent's threads and its processes) and memory for an idle one. inotify's
/// limits are per user, and every sandbox has host users of its own, so they bound one sandbox's watches, not the host.
/// </summary>
internal sealed record HostLimits(long PidMax, long ThreadsMax, long MemoryAvailableKiB, long FileMax)
{
    /// <summary>Host tasks an idle sandbox holds while its agent is awake (its resident threads), measured.</summary>
    public const int TasksPerAwakeSandbox = 6;

    /// <summary>Host tasks an idle sandbox holds once its agent sleeps (see RuntimeOptions.AgentSleepAfter), measured.</summary>
    public const int TasksPerSleepingSandbox = 2;

    /// <summary>Host memory an idle sandbox holds while its agent is awake, measured.</summary>
    public const long KiBPerAwakeSandbox = 4 * 1024;

    /// <summary>Host memory an idle sandbox holds once its agent sleeps, measured (2.2-2.5 MiB, kernel memory included).</summary>
    public const long KiBPerSleepingSandbox = 5 * 512;

    /// <summary>Reads the limits from a proc file system (the host's, <c>/proc</c>, unless a test gives another).</summary>
    public static HostLimits Read(string proc = "/proc") => new(
        Number(Path.Combine(proc, "sys/kernel/pid_max")),
        Number(Path.Combine(proc, "sys/kernel/threads-max")),
        MemInfo(Path.Combine(proc, "meminfo"), "MemAvailable"),
        Number(Path.Combine(proc, "sys/fs/file-max")));

    /// <summary>Each limit, the sandboxes it allows, and how to raise it; the lowest first.</summary>
    /// <param name="agentsSleep">Whether idle sandboxes' agents sleep (then an idle sandbox holds fewer tasks).</param>
    public IReadOnlyList<(string Limit, long Sandboxes, string Raise)> Caps(bool agentsSleep)
    {
        var tasks = agentsSleep ? TasksPerSleepingSandbox : TasksPerAwakeSandbox;
        var memoryKiB = agentsSleep ? KiBPerSleepingSandbox : KiBPerAwakeSandbox;
        return new (string Limit, long Sandboxes, string Raise)[]
        {
            ($"kernel.pid_max = {PidMax}", PidMax / tasks, "sysctl -w kernel.pid_max=4194304"),
            ($"kernel.threads-max = {ThreadsMax}", ThreadsMax / tasks, "sysctl -w kernel.threads-max=<more>"),
            ($"available memory = {MemoryAvailableKiB / 1024} MiB", MemoryAvailableKiB / memoryKiB, "more memory, or fewer used sandboxes"),
            ($"fs.file-max = {FileMax}", FileMax / 64, "sysctl -w fs.file-max=<more>"),
        }
        .Where(c => c.Sandboxes > 0)
        .OrderBy(c => c.Sandboxes)
        .ToList();
    }

    private static long Number(string file)
    {
        try
        {
            return long.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long MemInfo(string file, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    var digits = line[(field.Length + 1)..].Trim().Split(' ')[0];
                    return long.Parse(digits, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
