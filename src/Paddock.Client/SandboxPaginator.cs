namespace Paddock.Client;

/// <summary>
/// Pages of <see cref="Sandbox.List"/>: call <see cref="NextItemsAsync"/> while <see cref="HasNext"/>, or
/// enumerate every sandbox with <c>await foreach</c>.
/// </summary>
public sealed class SandboxPaginator : IAsyncEnumerable<SandboxInfo>
{
    private readonly TokenPages<SandboxInfo> _pages;

    internal SandboxPaginator(ControlPlane api, SandboxQuery query) =>
        _pages = new(api, nextToken => "v2/sandboxes" + PageQuery(query, nextToken), SandboxInfo.FromJson);

    /// <summary>Whether another page may follow (true before the first page).</summary>
    public bool HasNext => _pages.HasNext;

    /// <summary>The next page, newest first.</summary>
    public Task<IReadOnlyList<SandboxInfo>> NextItemsAsync(CancellationToken cancellationToken = default) => _pages.NextAsync(cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerator<SandboxInfo> GetAsyncEnumerator(CancellationToken cancellationToken = default) => _pages.GetAsyncEnumerator(cancellationToken);

    private static string PageQuery(SandboxQuery query, string? nextToken)
    {
        // E2B's metadata form, encoded three times as its SDKs do: each key and value, the joined pairs, the query value.
        var metadata = query.Metadata is { Count: > 0 } pairs
            ? Uri.EscapeDataString(string.Join('&', pairs.Select(m => $"{Uri.EscapeDataString(m.Key)}={Uri.EscapeDataString(m.Value)}")))
            : null;
        return QueryString.Of(
            ("state", query.State is { Count: > 0 } states ? string.Join(',', states.Select(s => s switch { SandboxState.Paused => "paused", SandboxState.Killed => "killed", _ => "running" })) : null),
            ("metadata", metadata),
            ("limit", query.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("nextToken", nextToken));
    }
}
