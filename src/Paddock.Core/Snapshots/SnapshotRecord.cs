namespace Paddock.Core.Snapshots;

/// <summary>
/// A snapshot of a sandbox's files: a read-only layer that new sandboxes stack their own writable layer on,
/// over the template the source sandbox was made from (and over the snapshot that one was made from, if any).
/// </summary>
public sealed record SnapshotRecord
{
    /// <summary>E2B's snapshot id: <c>&lt;20 [a-z0-9]&gt;:default</c>, or <c>name:tag</c> for a named one.</summary>
    public required string Id { get; init; }

    /// <summary>Its names without the tag (empty for an unnamed snapshot).</summary>
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>The sandbox it was taken from.</summary>
    public required string SandboxId { get; init; }

    /// <summary>The template under it.</summary>
    public required string TemplateId { get; init; }

    /// <summary>The snapshot the source sandbox was made from, whose layer lies under this one.</summary>
    public string? ParentId { get; init; }

    /// <summary>When it was taken.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Taken for a fork: not listed, and deleted once no sandbox uses it.</summary>
    public bool Internal { get; init; }

    /// <summary>The bytes its own layer holds (what it adds over the layers under it).</summary>
    public long SizeBytes { get; init; }
}
