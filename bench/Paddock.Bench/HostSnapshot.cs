using System.Globalization;

namespace Paddock.Bench;

/// <summary>What the host holds at one moment that sandboxes add to: memory, kernel slab, memory cgroups, mounts, tasks.</summary>
internal sealed record HostSnapshot(long MemUsedKiB, long SlabUnreclaimableKiB, int MemoryCgroups, int Mounts, int Tasks)
{
    public static HostSnapshot Take()
    {
        var meminfo = File.ReadLines("/proc/meminfo")
            .Select(l => l.Split(':', 2))
            .ToDictionary(p => p[0], p => long.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var memoryCgroups = File.ReadLines("/proc/cgroups")
            .Select(l => l.Split('\t'))
            .Where(f => f[0] == "memory")
            .Select(f => int.Parse(f[2], CultureInfo.InvariantCulture))
            .Single();
        var tasks = Directory.EnumerateDirectories("/proc")
            .Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0]))
            .Sum(d =>
            {
                try
                {
                    return Directory.EnumerateDirectories(Path.Combine(d, "task")).Count();
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    return 0;
                }
            });
        return new HostSnapshot(
            meminfo["MemTotal"] - meminfo["MemAvailable"],
            meminfo["SUnreclaim"],
            memoryCgroups,
            File.ReadLines("/proc/self/mountinfo").Count(),
            tasks);
    }

    /// <summary>KiB held by each unreclaimable slab cache (objects in use × object size), by name.</summary>
    public static Dictionary<string, long> UnreclaimableSlabKiB()
    {
        var caches = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories("/sys/kernel/slab"))
        {
            try
            {
                // Merged caches appear under several names (symlinks); the real directory is counted once.
                if (new DirectoryInfo(dir).LinkTarget is not null || File.ReadAllText(Path.Combine(dir, "reclaim_account")).Trim() == "1")
                {
                    continue;
                }

                var objects = long.Parse(File.ReadAllText(Path.Combine(dir, "objects")).Split(' ')[0], CultureInfo.InvariantCulture);
                var size = long.Parse(File.ReadAllText(Path.Combine(dir, "object_size")).Trim(), CultureInfo.InvariantCulture);
                caches[Path.GetFileName(dir)] = objects * size / 1024;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
            {
            }
        }

        return caches;
    }

    /// <summary>A process's resident memory in KiB (<c>VmRSS</c>, or another field of its status), 0 if it is gone.</summary>
    public static long ProcessKiB(int pid, string field = "VmRSS")
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field + ":", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }
}
