namespace Paddock.Client;

/// <summary>Which entries of a sandbox's log <see cref="Sandbox.GetLogsAsync(SandboxLogQuery?, CancellationToken)"/> returns.</summary>
public sealed record SandboxLogQuery
{
    /// <summary>
    /// Where to start: entries from this time on (or, with <see cref="Backward"/>, up to it). The server
    /// counts in milliseconds. Null starts at the beginning (or, backward, at now).
    /// </summary>
    public DateTimeOffset? Cursor { get; init; }

    /// <summary>At most this many entries (1 to 1000; 1000 by default).</summary>
    public int? Limit { get; init; }

    /// <summary>Newest first, from the cursor back, instead of oldest first.</summary>
    public bool Backward { get; init; }

    /// <summary>Only entries at this level or above.</summary>
    public SandboxLogLevel? MinLevel { get; init; }

    /// <summary>Only entries whose message or a field contains this (case-sensitive, up to 256 characters).</summary>
    public string? Search { get; init; }
}
