namespace Paddock.Client;

/// <summary>Which snapshots <see cref="Sandbox.ListSnapshots(SnapshotQuery?, ConnectionOptions?)"/> returns.</summary>
public sealed record SnapshotQuery
{
    /// <summary>Only snapshots taken from this sandbox.</summary>
    public string? SandboxId { get; init; }

    /// <summary>Only snapshots with this name: a bare name matches any tag, <c>name:tag</c> that tag only.</summary>
    public string? Name { get; init; }

    /// <summary>Page size (1 to 100); 100 by default.</summary>
    public int? Limit { get; init; }
}
