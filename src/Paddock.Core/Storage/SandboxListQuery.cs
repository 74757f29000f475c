using Paddock.Core.Sandboxes;

namespace Paddock.Core.Storage;

/// <summary>Filters and pagination of a sandbox listing.</summary>
public sealed record SandboxListQuery
{
    /// <summary>States to include; never empty.</summary>
    public required IReadOnlyCollection<SandboxState> States { get; init; }

    /// <summary>Metadata pairs that must all match exactly.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Only sandboxes of this template id.</summary>
    public string? TemplateId { get; init; }

    /// <summary>Only sandboxes started at or after this moment.</summary>
    public DateTimeOffset? StartedAfter { get; init; }

    /// <summary>Newest first (default) or oldest first.</summary>
    public bool Ascending { get; init; }

    /// <summary>Page size.</summary>
    public int Limit { get; init; } = 100;

    /// <summary>Continue after this item.</summary>
    public ListCursor? After { get; init; }
}

/// <summary>A page of records and the cursor of the next one, if there is more.</summary>
public sealed record SandboxPage(IReadOnlyList<SandboxRecord> Items, ListCursor? Next);
