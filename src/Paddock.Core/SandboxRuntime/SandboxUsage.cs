namespace Paddock.Core.SandboxRuntime;

/// <summary>
/// What a running sandbox uses now, read by the host from the kernel's own accounting (its cgroups and its
/// disk quota), never from anything inside the sandbox.
/// </summary>
public sealed record SandboxUsage
{
    /// <summary>When it was measured.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>CPUs the sandbox may use.</summary>
    public required int CpuCount { get; init; }

    /// <summary>CPU used over the sampling interval, in percent of <see cref="CpuCount"/> CPUs.</summary>
    public required double CpuUsedPercent { get; init; }

    /// <summary>Memory in use (page cache not counted), in bytes.</summary>
    public required long MemoryUsedBytes { get; init; }

    /// <summary>The sandbox's memory limit, in bytes.</summary>
    public required long MemoryTotalBytes { get; init; }

    /// <summary>Page cache charged to the sandbox, in bytes.</summary>
    public required long MemoryCacheBytes { get; init; }

    /// <summary>What the sandbox's writable layer holds, in bytes.</summary>
    public required long DiskUsedBytes { get; init; }

    /// <summary>The sandbox's disk quota, in bytes.</summary>
    public required long DiskTotalBytes { get; init; }
}
