namespace Paddock.Core.Logs;

/// <summary>
/// Which log entries to return, as E2B's <c>GET /v2/sandboxes/{id}/logs</c> asks: from a cursor (a time),
/// forward (oldest first, from the cursor on) or backward (newest first, up to the cursor), at or above a
/// level, containing a string.
/// </summary>
public sealed record SandboxLogQuery
{
    /// <summary>Where to start; null is the beginning (forward) or now (backward).</summary>
    public DateTimeOffset? Cursor { get; init; }

    /// <summary>How many entries at most (at least 1; what an API allows is the API's to say).</summary>
    public int Limit { get; init; } = 1000;

    /// <summary>Newest first, from the cursor back, instead of oldest first from the cursor on.</summary>
    public bool Backward { get; init; }

    /// <summary>The lowest level returned.</summary>
    public SandboxLogLevel MinLevel { get; init; } = SandboxLogLevel.Debug;

    /// <summary>A case-sensitive substring the message or a field value must contain.</summary>
    public string? Search { get; init; }

    /// <summary>Whether an entry passes the cursor, level and search filters.</summary>
    public bool Matches(SandboxLogEntry entry)
    {
        if (entry.Level < MinLevel)
        {
            return false;
        }

        if (Cursor is { } cursor && (Backward ? entry.Timestamp > cursor : entry.Timestamp < cursor))
        {
            return false;
        }

        return string.IsNullOrEmpty(Search)
            || entry.Message.Contains(Search, StringComparison.Ordinal)
            || entry.Fields.Values.Any(v => v.Contains(Search, StringComparison.Ordinal));
    }

    /// <summary>Whether <paramref name="a"/> comes before <paramref name="b"/> in this query's order.</summary>
    internal bool Precedes(SandboxLogEntry a, SandboxLogEntry b) => Backward ? a.Timestamp > b.Timestamp : a.Timestamp < b.Timestamp;
}
