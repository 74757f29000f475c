using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// Pages of <see cref="Sandbox.ListSnapshots(SnapshotQuery?, ConnectionOptions?)"/>, newest first: call
/// <see cref="NextItemsAsync"/> while <see cref="HasNext"/>, or enumerate every snapshot with <c>await foreach</c>.
/// </summary>
public sealed class SnapshotPaginator : IAsyncEnumerable<SnapshotInfo>
{
    private readonly ControlPlane _api;
    private readonly SnapshotQuery _query;
    private string? _nextToken;

    internal SnapshotPaginator(ControlPlane api, SnapshotQuery query)
    {
        _api = api;
        _query = query;
    }

    /// <summary>Whether another page may follow (true before the first page).</summary>
    public bool HasNext { get; private set; } = true;

    /// <summary>The next page, newest first.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Up to <see cref="SnapshotQuery.Limit"/> snapshots.</returns>
    /// <exception cref="InvalidOperationException">There are no more pages (<see cref="HasNext"/> is false).</exception>
    public async Task<IReadOnlyList<SnapshotInfo>> NextItemsAsync(CancellationToken cancellationToken = default)
    {
        if (!HasNext)
        {
            throw new InvalidOperationException("there are no more pages");
        }

        var query = QueryString.Of(
            ("sandboxID", _query.SandboxId),
            ("name", _query.Name),
            ("limit", _query.Limit?.ToString(CultureInfo.InvariantCulture)),
            ("nextToken", _nextToken));
        var (_, body, headers) = await _api.SendAsync(HttpMethod.Get, "snapshots" + query, null, cancellationToken).ConfigureAwait(false);
        _nextToken = headers.TryGetValues("X-Next-Token", out var values) ? values.FirstOrDefault() : null;
        HasNext = !string.IsNullOrEmpty(_nextToken);
        return (body as JsonArray ?? []).Select(item => SnapshotInfo.FromJson(item!)).ToList();
    }

    /// <inheritdoc />
    public async IAsyncEnumerator<SnapshotInfo> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        while (HasNext)
        {
            foreach (var item in await NextItemsAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }
}
