namespace Paddock.Core.Lifecycle;

/// <summary>
/// What the server's sandboxes and snapshots hold on the host now, by how they are kept: each sandbox's writable
/// layer as its quota counts it, each snapshot's layer as it was counted when taken (it never changes after).
/// </summary>
public sealed record HostUsage
{
    /// <summary>Running sandboxes, and the bytes their layers hold.</summary>
    public required HeldBy Running { get; init; }

    /// <summary>Frozen sandboxes (paused with their memory), and the bytes their layers hold.</summary>
    public required HeldBy Frozen { get; init; }

    /// <summary>Sandboxes paused on disk (their files only), and the bytes their layers hold.</summary>
    public required HeldBy OnDisk { get; init; }

    /// <summary>Snapshots (forks' own included), and the bytes their layers hold.</summary>
    public required HeldBy Snapshots { get; init; }

    /// <summary>How many of one kind there are, and the disk they hold together.</summary>
    /// <param name="Count">How many.</param>
    /// <param name="DiskBytes">The bytes their layers hold.</param>
    public sealed record HeldBy(int Count, long DiskBytes);
}
