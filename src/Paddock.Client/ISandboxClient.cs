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

    /// <summary>Lists sandboxes, newest first, a page at a time (running and paused ones unless the query says otherwise).</summary>
    /// <param name="query">Filters: states, metadata, page size.</param>
    /// <returns>A paginator; <c>await foreach</c> walks every page.</returns>
    SandboxPaginator List(SandboxQuery? query = null);
}
