namespace Paddock.Client;

/// <summary>
/// The sandbox API with one connection: what <c>services.AddPaddock(...)</c>
/// registers for injection. An interface, so code that uses it can be tested with a fake; <see cref="Sandbox"/>'s
/// members are virtual for the same reason.
/// </summary>
public interface ISandboxClient
{
    /// <summary>Creates a sandbox (from <c>base</c>, for 5 minutes, unless <paramref name="options"/> say otherwise) and returns it running.</summary>
    /// <param name="options">Template, timeout, metadata, environment; their <see cref="SandboxOptions.Connection"/> is ignored (this client's is used).</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The sandbox, running.</returns>
    /// <exception cref="InvalidArgumentException">An unknown template, or a bad timeout, metadata or environment.</exception>
    /// <exception cref="SandboxAuthenticationException">The API key is missing or wrong.</exception>
    /// <exception cref="SandboxConnectionException">The API cannot be reached.</exception>
    Task<Sandbox> CreateAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Connects to a sandbox by id: a running one's timeout moves to at least <paramref name="timeout"/> from now; a paused
    /// one is resumed, with its timeout set to <paramref name="timeout"/> from now.
    /// </summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="timeout">5 minutes when not given.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The sandbox, running.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    Task<Sandbox> ConnectAsync(string sandboxId, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Kills a sandbox by id.</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True, or false when there was no such sandbox.</returns>
    Task<bool> KillAsync(string sandboxId, CancellationToken cancellationToken = default);

    /// <summary>What the API knows about a sandbox, by id.</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>Its state, template, metadata and times.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    Task<SandboxInfo> GetInfoAsync(string sandboxId, CancellationToken cancellationToken = default);

    /// <summary>Sets a sandbox's timeout to <paramref name="timeout"/> from now (shorter or longer; zero ends it now).</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="timeout">From now.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes once the timeout is set.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    Task SetTimeoutAsync(string sandboxId, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Replaces a sandbox's outbound rules by id (lists not given are cleared).</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="network">The new rules.</param>
    /// <param name="allowInternetAccess">A new internet setting; null keeps the current one.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>A task that completes once the rules hold for the sandbox's open and new connections.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    Task UpdateNetworkAsync(string sandboxId, SandboxNetwork network, bool? allowInternetAccess = null, CancellationToken cancellationToken = default);

    /// <summary>Pauses a sandbox by id.</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True, or false when it was already paused.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    Task<bool> PauseAsync(string sandboxId, CancellationToken cancellationToken = default);

    /// <summary>Pauses a sandbox by id, keeping its memory or only its files (see <see cref="Sandbox.PauseAsync(bool, CancellationToken)"/>).</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="keepMemory">True: frozen, memory and files kept. False: its files only, and a resume boots it afresh.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True, or false when it was already paused.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    Task<bool> PauseAsync(string sandboxId, bool keepMemory, CancellationToken cancellationToken = default);

    /// <summary>Takes a snapshot of a sandbox's files by id (see <see cref="Sandbox.CreateSnapshotAsync(string?, CancellationToken)"/>).</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="name">A name (<c>name</c> or <c>name:tag</c>); none gives the snapshot an id only.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The snapshot's id and names.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name = null, CancellationToken cancellationToken = default);

    /// <summary>Lists snapshots, newest first, a page at a time.</summary>
    /// <param name="query">Filters: the sandbox taken from, a name, page size.</param>
    /// <returns>A paginator; <c>await foreach</c> walks every page.</returns>
    SnapshotPaginator ListSnapshots(SnapshotQuery? query = null);

    /// <summary>Deletes a snapshot by id or name; refused while a sandbox or another snapshot stands on it.</summary>
    /// <param name="snapshotId">The snapshot's id or name.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True, or false when there was no such snapshot.</returns>
    /// <exception cref="InvalidArgumentException">A running or paused sandbox, or another snapshot, stands on it.</exception>
    Task<bool> DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default);

    /// <summary>Makes new sandboxes from a sandbox as it is now, by id (see <see cref="Sandbox.ForkAsync(int, TimeSpan?, CancellationToken)"/>).</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="count">How many (1 to 100).</param>
    /// <param name="timeout">How long each fork lives; 5 minutes when not given.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The forks, running, in order.</returns>
    /// <exception cref="SandboxForkException">Some forks could not be made; it holds the ones that were.</exception>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    Task<IReadOnlyList<Sandbox>> ForkAsync(string sandboxId, int count = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default);

    /// <summary>Lists sandboxes, newest first, a page at a time (running and paused ones unless the query says otherwise).</summary>
    /// <param name="query">Filters: states, metadata, page size.</param>
    /// <returns>A paginator; <c>await foreach</c> walks every page.</returns>
    SandboxPaginator List(SandboxQuery? query = null);
}
