using System.Diagnostics;
using System.Globalization;

namespace Paddock.Bench;

/// <summary>
/// What the kernel charges the host for the population, measured rather than inferred: the kernel memory one more
/// memory cgroup takes (its shrinker map, sized for the most superblocks mounted at once since boot: about 1 KiB per
/// 64, never shrunk), and the CPU the idle sandboxes, and the rest of the host, use meanwhile.
/// </summary>
internal static class KernelProbe
{
    private const int ProbeGroups = 20;
    private const string ProbeRoot = "/sys/fs/cgroup/memory/paddock-bench-probe";

    /// <summary>KiB of <c>kmalloc-1k</c> objects (where shrinker maps live) one new, empty memory cgroup adds.</summary>
    public static double KiBPerNewMemoryCgroup()
    {
        var before = Kmalloc1kObjects();
        try
        {
            for (var i = 0; i < ProbeGroups; i++)
            {
                Directory.CreateDirectory(Path.Combine(ProbeRoot, $"g{i}"));
            }

            return (Kmalloc1kObjects() - before) / (double)ProbeGroups;
        }
        finally
        {
            for (var i = 0; i < ProbeGroups; i++)
            {
                TryRemove(Path.Combine(ProbeRoot, $"g{i}"));
            }

            TryRemove(ProbeRoot);
        }
    }

    /// <summary>
    /// CPU the given sandboxes' cgroups used over <paramref name="window"/>, and what everything else on the host used
    /// in the same time (the server, the kernel's threads, the machine's own agents), each in percent of one CPU: a
    /// busy host slows every create, and on a virtual machine its own monitors may grow with the host's task count.
    /// </summary>
    public static async Task<(double Sandboxes, double RestOfHost)> CpuPercentAsync(
        IReadOnlyList<string> sandboxIds, TimeSpan window, CancellationToken cancellationToken)
    {
        var before = sandboxIds.Sum(CpuNanoseconds);
        var hostBefore = HostBusyNanoseconds();
        var watch = Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        var used = sandboxIds.Sum(CpuNanoseconds) - before;
        var hostUsed = HostBusyNanoseconds() - hostBefore;
        var elapsed = watch.Elapsed.TotalMilliseconds * 1_000_000;
        return (used / elapsed * 100, Math.Max(0, hostUsed - used) / elapsed * 100);
    }

    // Every CPU's time but idle and iowait, from /proc/stat's first line (in clock ticks, 100 a second).
    private static long HostBusyNanoseconds()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var busy = fields.Take(8).Sum() - fields[3] - fields[4];
        return busy * 10_000_000;
    }

    private static long CpuNanoseconds(string sandboxId)
    {
        try
        {
            return long.Parse(File.ReadAllText($"/sys/fs/cgroup/cpuacct/paddock/{sandboxId}/cpuacct.usage").Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            return 0;
        }
    }

    private static long Kmalloc1kObjects() =>
        long.Parse(File.ReadAllText("/sys/kernel/slab/kmalloc-1k/objects").Split(' ')[0], CultureInfo.InvariantCulture);

    private static void TryRemove(string cgroup)
    {
        try
        {
            Directory.Delete(cgroup);
        }
        catch (IOException)
        {
        }
    }
}
