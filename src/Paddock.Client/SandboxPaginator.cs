using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// Pages of <see cref="Sandbox.List"/>: call <see cref="NextItemsAsync"/> while <see cref="HasNext"/>, or
/// enumerate every sandbox with <c>await foreach</c>.
/// </summary>
public sealed class SandboxPaginator : IAsyncEnumerable<SandboxInfo>
{
    private readonly ControlPlane _api;
    private readonly SandboxQuery _query;
    private string? _nextToken;

    internal SandboxPaginator(ControlPlane api, SandboxQuery query)
    {
        _api = api;
        _query = query;
    }

    /// <summary>Whether another page may follow (true before the first page).</summary>
    public bool HasNext { get; private set; } = true;

    /// <summary>The next page, newest first.</summary>
    public async Task<IReadOnlyList<SandboxInfo>> NextItemsAsync(CancellationToken cancellationToken = default)
    {
        if (!HasNext)
        {
            throw new InvalidOperationException("there are no more pages");
        }

        var (_, body, headers) = await _api.SendAsync(HttpMethod.Get, "v2/sandboxes" + PageQuery(), null, cancellationToken).ConfigureAwait(false);
        _nextToken = headers.TryGetValues("X-Next-Token", out var values) ? values.FirstOrDefault() : null;
        HasNext = !string.IsNullOrEmpty(_nextToken);
        return (body as JsonArray ?? []).Select(item => SandboxInfo.FromJson(item!)).ToList();
    }

    /// <inheritdoc />
    public async IAsyncEnumerator<SandboxInfo> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (HasNext)
        {
            foreach (var item in await NextItemsAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }

    private string PageQuery()
    {
        // E2B's metadata form, encoded three times as its SDKs do: each key and value, the joined pairs, the query value.
        var metadata = _query.Metadata is { Count: > 0 } pairs
            ? Uri.EscapeDataString(string.Join('&', pairs.Select(m => $"{Uri.EscapeDataString(m.Key)}={Uri.EscapeDataString(m.Value)}")))
            : null;
        return QueryString.Of(
            ("state", _query.State is { Count: > 0 } states ? string.Join(',', states.Select(s => s switch { SandboxState.Paused => "paused", SandboxState.Killed => "killed", _ => "running" })) : null),
            ("metadata", metadata),
            ("limit", _query.Limit?.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("nextToken", _nextToken));
    }
}
