namespace Paddock.Core.Lifecycle;

/// <summary>Lifecycle settings; every one has a working default.</summary>
public sealed class LifecycleOptions
{
    /// <summary>No sandbox lives longer than this from its (last) start. E2B's Pro tier: 24 h.</summary>
    public TimeSpan MaxLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How long a paused sandbox is kept before it is deleted.</summary>
    public TimeSpan PausedRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a frozen sandbox (paused with its memory) keeps its memory; after that it is moved to disk
    /// (a filesystem-only pause: its files are kept, a resume boots it cold), so paused sandboxes cannot hold the
    /// host's memory for their whole retention. Null: frozen until the retention ends.
    /// </summary>
    public TimeSpan? FreezeFor { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The most memory, in MiB of their memory limits, frozen sandboxes may hold together; past it the ones paused
    /// longest are moved to disk. Null: half the host's memory.
    /// </summary>
    public int? FrozenMemoryMB { get; set; }

    /// <summary>CPUs of a new sandbox.</summary>
    public int CpuCount { get; set; } = 2;

    /// <summary>Memory limit of a new sandbox, in MiB.</summary>
    public int MemoryMB { get; set; } = 512;

    /// <summary>Disk quota of a new sandbox's writable layer, in MiB.</summary>
    public int DiskSizeMB { get; set; } = 10 * 1024;

    /// <summary>
    /// The most sandboxes (being created, running or paused) this server holds at once; a create past it is
    /// refused (E2B's 429) until one ends. Unlimited when not set: the host's own limits then cap it.
    /// </summary>
    public int? MaxSandboxes { get; set; }

    /// <summary>Collects every invalid setting, so one start reports all of them.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxLifetime <= TimeSpan.Zero)
        {
            errors.Add("MaxLifetime must be positive");
        }

        if (PausedRetention <= TimeSpan.Zero)
        {
            errors.Add("PausedRetention must be positive");
        }

        if (FreezeFor <= TimeSpan.Zero)
        {
            errors.Add("FreezeFor must be positive when set");
        }

        if (FrozenMemoryMB < 0)
        {
            errors.Add("FrozenMemoryMB must not be negative");
        }

        if (CpuCount < 1)
        {
            errors.Add("CpuCount must be at least 1");
        }

        if (MemoryMB < 128)
        {
            errors.Add("MemoryMB must be at least 128");
        }

        if (MaxSandboxes is < 1)
        {
            errors.Add("MaxSandboxes must be at least 1 when set");
        }

        if (DiskSizeMB < 64)
        {
            errors.Add("DiskSizeMB must be at least 64");
        }

        return errors;
    }
}
