using System.Net;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>Snapshots of a sandbox's files, and forks: new sandboxes made from a sandbox as it is now.</summary>
public partial class Sandbox
{
    /// <summary>
    /// Keeps this sandbox's files as they are now as a snapshot, which outlives the sandbox: new sandboxes start from it
    /// when its id or name is given as their <see cref="SandboxOptions.Template"/>. A running sandbox is frozen only for
    /// the moment it takes and keeps running; a paused one stays paused.
    /// </summary>
    /// <param name="name">A name (<c>name</c> or <c>name:tag</c>) to create sandboxes from it by; none gives it an id only.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The snapshot's id and names.</returns>
    /// <exception cref="SandboxNotFoundException">The sandbox was killed.</exception>
    /// <exception cref="InvalidArgumentException">The name is not valid.</exception>
    public virtual Task<SnapshotInfo> CreateSnapshotAsync(string? name = null, CancellationToken cancellationToken = default) =>
        CreateSnapshotAsync(_api, SandboxId, name, cancellationToken);

    /// <summary>Takes a snapshot of a sandbox by id (see the instance method).</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="name">A name (<c>name</c> or <c>name:tag</c>); none gives the snapshot an id only.</param>
    /// <param name="connection">Where the API is; the environment's settings when not given.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The snapshot's id and names.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    public static Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name = null, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        CreateSnapshotAsync(ControlPlane.For(connection), sandboxId, name, cancellationToken);

    /// <summary>The snapshots taken from this sandbox, newest first, a page at a time.</summary>
    /// <param name="query">Name and page size; its <see cref="SnapshotQuery.SandboxId"/> is this sandbox's.</param>
    /// <returns>A paginator; <c>await foreach</c> walks every page.</returns>
    public virtual SnapshotPaginator ListSnapshots(SnapshotQuery? query = null) =>
        new(_api, (query ?? new SnapshotQuery()) with { SandboxId = SandboxId });

    /// <summary>Lists snapshots, newest first, a page at a time (every one unless the query narrows it).</summary>
    /// <param name="query">Filters: the sandbox taken from, a name, page size.</param>
    /// <param name="connection">Where the API is; the environment's settings when not given.</param>
    /// <returns>A paginator; <c>await foreach</c> walks every page.</returns>
    public static SnapshotPaginator ListSnapshots(SnapshotQuery? query = null, ConnectionOptions? connection = null) =>
        new(ControlPlane.For(connection), query ?? new SnapshotQuery());

    /// <summary>
    /// Deletes a snapshot by id or name. Refused (<see cref="InvalidArgumentException"/>) while a running or paused
    /// sandbox, or another snapshot, stands on it.
    /// </summary>
    /// <param name="snapshotId">The snapshot's id or name.</param>
    /// <param name="connection">Where the API is; the environment's settings when not given.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True, or false when there was no such snapshot.</returns>
    public static Task<bool> DeleteSnapshotAsync(string snapshotId, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        DeleteSnapshotAsync(ControlPlane.For(connection), snapshotId, cancellationToken);

    /// <summary>
    /// Makes <paramref name="count"/> new sandboxes from this one as it is now: each has its files, metadata, environment
    /// and lifecycle settings, its own id and access token, and runs for <paramref name="timeout"/>. This sandbox keeps
    /// running, untouched. On Paddock with crun, processes are not copied: each fork boots fresh over the files.
    /// </summary>
    /// <param name="count">How many (1 to 100).</param>
    /// <param name="timeout">How long each fork lives; 5 minutes when not given.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The forks, running, in order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="SandboxForkException">Some forks could not be made; it holds the ones that were.</exception>
    /// <exception cref="SandboxNotFoundException">The sandbox was killed.</exception>
    public virtual Task<IReadOnlyList<Sandbox>> ForkAsync(int count = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        ForkAsync(_api, SandboxId, count, timeout, cancellationToken);

    /// <summary>Forks a sandbox by id (see the instance method).</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="count">How many (1 to 100).</param>
    /// <param name="timeout">How long each fork lives; 5 minutes when not given.</param>
    /// <param name="connection">Where the API is; the environment's settings when not given.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The forks, running, in order.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="SandboxForkException">Some forks could not be made; it holds the ones that were.</exception>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    public static Task<IReadOnlyList<Sandbox>> ForkAsync(string sandboxId, int count = 1, TimeSpan? timeout = null, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        ForkAsync(ControlPlane.For(connection), sandboxId, count, timeout, cancellationToken);

    internal static async Task<SnapshotInfo> CreateSnapshotAsync(ControlPlane api, string sandboxId, string? name, CancellationToken cancellationToken)
    {
        var body = new JsonObject();
        if (name is not null)
        {
            body["name"] = name;
        }

        // Not retried: a snapshot that was taken but whose answer was lost would be taken twice.
        var (_, json, _) = await api.SendAsync(HttpMethod.Post, $"sandboxes/{Escape(sandboxId)}/snapshots", body, idempotent: false, cancellationToken).ConfigureAwait(false);
        return SnapshotInfo.FromJson(json!) with { SandboxId = sandboxId };
    }

    internal static async Task<bool> DeleteSnapshotAsync(ControlPlane api, string snapshotId, CancellationToken cancellationToken)
    {
        var (status, _, _) = await api.SendAsync(HttpMethod.Delete, $"templates/{Escape(snapshotId)}", null, cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return status != HttpStatusCode.NotFound;
    }

    internal static async Task<IReadOnlyList<Sandbox>> ForkAsync(ControlPlane api, string sandboxId, int count, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var body = new JsonObject { ["timeout"] = Seconds(timeout ?? TimeSpan.FromMinutes(5)), ["count"] = count };

        // Never retried: a fork that reached the server but lost its answer would make its sandboxes twice.
        var (_, json, _) = await api.SendAsync(HttpMethod.Post, $"sandboxes/{Escape(sandboxId)}/fork", body, idempotent: false, cancellationToken).ConfigureAwait(false);
        var forks = new List<Sandbox>();
        var errors = new List<SandboxException>();
        foreach (var entry in json as JsonArray ?? [])
        {
            if (entry?["sandbox"] is JsonObject sandbox)
            {
                forks.Add(FromResponse(api, sandbox));
            }
            else
            {
                var error = entry?["error"];
                var status = error?["code"]?.GetValue<int>() ?? 500;
                errors.Add(ControlPlane.Error((HttpStatusCode)status, error?["message"]?.GetValue<string>() ?? "the fork was not made"));
            }
        }

        return errors.Count == 0 ? forks : throw new SandboxForkException(forks, errors);
    }
}
