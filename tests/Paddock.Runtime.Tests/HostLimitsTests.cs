using Paddock.Runtime.Host;

namespace Paddock.Runtime.Tests;

/// <summary>What caps a host's sandboxes, read from a proc file system, lowest first.</summary>
public sealed class HostLimitsTests : IDisposable
{
    private readonly string _proc = Directory.CreateTempSubdirectory("paddock-proc-").FullName;

    public void Dispose() => Directory.Delete(_proc, recursive: true);

    [Fact]
    public void Caps_NameTheLowestLimitFirst_WithHowToRaiseIt()
    {
        Write("sys/kernel/pid_max", "16384\n");
        Write("sys/kernel/threads-max", "191948\n");
        Write("sys/fs/file-max", "9223372036854775807\n");
        Write("meminfo", "MemTotal:       24000000 kB\nMemFree:         1000 kB\nMemAvailable:   20971520 kB\n");

        var limits = HostLimits.Read(_proc);
        Assert.Equal((16384L, 191948L, 20971520L), (limits.PidMax, limits.ThreadsMax, limits.MemoryAvailableKiB));
        var caps = limits.Caps(agentsSleep: false);
        Assert.Equal(("kernel.pid_max = 16384", 2730L), (caps[0].Limit, caps[0].Sandboxes));
        Assert.Contains("kernel.pid_max=", caps[0].Raise, StringComparison.Ordinal);
        Assert.Equal(("available memory = 20480 MiB", 5120L), (caps[1].Limit, caps[1].Sandboxes));
        Assert.Equal("kernel.threads-max = 191948", caps[2].Limit);
    }

    [Fact]
    public void SleepingAgents_HoldFewerTasksAndLessMemory()
    {
        Write("sys/kernel/pid_max", "32768\n");
        Write("sys/kernel/threads-max", "191948\n");
        Write("meminfo", "MemAvailable:   20971520 kB\n");

        var caps = HostLimits.Read(_proc).Caps(agentsSleep: true);
        Assert.Equal(("available memory = 20480 MiB", 8192L), (caps[0].Limit, caps[0].Sandboxes));
        Assert.Equal(("kernel.pid_max = 32768", 16384L), (caps[1].Limit, caps[1].Sandboxes));
    }

    [Fact]
    public void MissingFiles_AreNoCap()
    {
        Write("sys/kernel/pid_max", "4194304\n");
        var caps = HostLimits.Read(_proc).Caps(agentsSleep: true);
        Assert.Equal("kernel.pid_max = 4194304", Assert.Single(caps).Limit);
    }

    private void Write(string relative, string text)
    {
        var path = Path.Combine(_proc, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
