using System.Diagnostics;
using System.Globalization;

namespace Paddock.Agent.Http;

/// <summary>Resource use of the sandbox, read from its own cgroup (the cgroup namespace makes it the root).</summary>
internal static class SandboxMetrics
{
    private const string MemoryDir = "/sys/fs/cgroup/memory";
    private const string CpuAcctUsage = "/sys/fs/cgroup/cpuacct/cpuacct.usage";

    public static async Task<MetricsResponse> ReadAsync(CancellationToken cancellationToken)
    {
        var cpuCount = CpuCount();
        var before = ReadLong(CpuAcctUsage);
        var watch = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromMilliseconds(100), OnDemandTimeProvider.Instance, cancellationToken);
        var after = ReadLong(CpuAcctUsage);
        var busyNs = Math.Max(0, after - before);
        var cpuPct = before < 0 || after < 0 ? 0 : busyNs / (watch.Elapsed.TotalMilliseconds * 1_000_000 * cpuCount) * 100;

        var memTotal = Math.Min(ReadLong(Path.Combine(MemoryDir, "memory.limit_in_bytes")), PhysicalMemory());
        var memUsage = Math.Max(0, ReadLong(Path.Combine(MemoryDir, "memory.usage_in_bytes")));
        var memCache = StatOf("cache");
        var memUsed = Math.Max(0, memUsage - memCache);
        var disk = new DriveInfo("/");
        return new MetricsResponse(
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(), cpuCount, Math.Round(cpuPct, 2), memTotal, memUsed, memCache,
            memTotal / (1024 * 1024), memUsed / (1024 * 1024), disk.TotalSize - disk.TotalFreeSpace, disk.TotalSize);
    }

    private static int CpuCount()
    {
        var quota = ReadLong("/sys/fs/cgroup/cpu/cpu.cfs_quota_us");
        var period = ReadLong("/sys/fs/cgroup/cpu/cpu.cfs_period_us");
        return quota > 0 && period > 0 ? (int)Math.Max(1, quota / period) : Environment.ProcessorCount;
    }

    private static long PhysicalMemory()
    {
        foreach (var line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith("MemTotal:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return long.MaxValue;
    }

    private static long StatOf(string name)
    {
        var path = Path.Combine(MemoryDir, "memory.stat");
        if (!File.Exists(path))
        {
            return 0;
        }

        foreach (var line in File.ReadLines(path))
        {
            var parts = line.Split(' ');
            if (parts.Length == 2 && parts[0] == name)
            {
                return long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static long ReadLong(string path) =>
        File.Exists(path) && long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : -1;
}
