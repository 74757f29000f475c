using System.Globalization;

namespace Paddock.Client;

/// <summary>
/// Pages of <see cref="Sandbox.ListSnapshots(SnapshotQuery?, ConnectionOptions?)"/>, newest first: call
/// <see cref="NextItemsAsync"/> while <see cref="HasNext"/>, or enumerate every snapshot with <c>await foreach</c>.
/// </summary>
public sealed class SnapshotPaginator : IAsyncEnumerable<SnapshotInfo>
{
    private readonly TokenPages<SnapshotInfo> _pages;

    internal SnapshotPaginator(ControlPlane api, SnapshotQuery query) =>
        _pages = new(
            api,
            nextToken => "snapshots" + QueryString.Of(
                ("sandboxID", query.SandboxId),
                ("name", query.Name),
                ("limit", query.Limit?.ToString(CultureInfo.InvariantCulture)),
                ("nextToken", nextToken)),
            SnapshotInfo.FromJson);

    /// <summary>Whether another page may follow (true before the first page).</summary>
    public bool HasNext => _pages.HasNext;

    /// <summary>The next page, newest first.</summary>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Up to <see cref="SnapshotQuery.Limit"/> snapshots.</returns>
    /// <exception cref="InvalidOperationException">There are no more pages (<see cref="HasNext"/> is false).</exception>
    public Task<IReadOnlyList<SnapshotInfo>> NextItemsAsync(CancellationToken cancellationToken = default) => _pages.NextAsync(cancellationToken);

    /// <inheritdoc />
    public IAsyncEnumerator<SnapshotInfo> GetAsyncEnumerator(CancellationToken cancellationToken = default) => _pages.GetAsyncEnumerator(cancellationToken);
}
