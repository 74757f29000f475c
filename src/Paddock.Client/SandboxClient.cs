using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Paddock.Client;

/// <summary>
/// The sandbox API with one connection, over a given <see cref="HttpClient"/> (from <c>IHttpClientFactory</c> when
/// registered with <c>services.AddPaddock(...)</c>,
/// or one of your own), logging to the given logger. Sandboxes it returns use the same client and logger.
/// </summary>
public class SandboxClient : ISandboxClient
{
    private readonly ControlPlane _api;

    /// <summary>Creates a client over <paramref name="http"/> (whose own timeout is replaced: streams run as long as their commands).</summary>
    /// <param name="http">The HTTP client requests go through.</param>
    /// <param name="connection">Where the API is and the key; the environment's settings when null.</param>
    /// <param name="logger">Where requests and retries are logged.</param>
    public SandboxClient(HttpClient http, ConnectionOptions? connection = null, ILogger<SandboxClient>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        _api = new ControlPlane((connection ?? ConnectionOptions.FromEnvironment()).Resolve(), ControlPlane.Configure(http), logger);
    }

    /// <summary>The constructor dependency injection uses: the settings of <c>AddPaddock</c>.</summary>
    /// <param name="http">The HTTP client from <c>IHttpClientFactory</c>.</param>
    /// <param name="options">The settings.</param>
    /// <param name="logger">Where requests and retries are logged.</param>
    [ActivatorUtilitiesConstructor]
    public SandboxClient(HttpClient http, IOptions<PaddockClientOptions> options, ILogger<SandboxClient> logger)
        : this(http, options?.Value.ToConnectionOptions(), logger)
    {
    }

    /// <inheritdoc />
    public virtual Task<Sandbox> CreateAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default) =>
        Sandbox.CreateAsync(_api, options ?? new SandboxOptions(), autoPause: null, cancellationToken);

    /// <inheritdoc />
    public virtual Task<Sandbox> ConnectAsync(string sandboxId, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Sandbox.ConnectAsync(_api, sandboxId, timeout, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> KillAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        Sandbox.KillAsync(_api, sandboxId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<SandboxInfo> GetInfoAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        Sandbox.GetInfoAsync(_api, sandboxId, cancellationToken);

    /// <inheritdoc />
    public virtual Task SetTimeoutAsync(string sandboxId, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Sandbox.SetTimeoutAsync(_api, sandboxId, timeout, cancellationToken);

    /// <inheritdoc />
    public virtual Task UpdateNetworkAsync(string sandboxId, SandboxNetwork network, bool? allowInternetAccess = null, CancellationToken cancellationToken = default) =>
        Sandbox.UpdateNetworkAsync(_api, sandboxId, network, allowInternetAccess, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> PauseAsync(string sandboxId, CancellationToken cancellationToken = default) =>
        Sandbox.PauseAsync(_api, sandboxId, keepMemory: true, cancellationToken);

    /// <inheritdoc />
    public virtual Task<bool> PauseAsync(string sandboxId, bool keepMemory, CancellationToken cancellationToken = default) =>
        Sandbox.PauseAsync(_api, sandboxId, keepMemory, cancellationToken);

    /// <inheritdoc />
    public virtual Task<SnapshotInfo> CreateSnapshotAsync(string sandboxId, string? name = null, CancellationToken cancellationToken = default) =>
        Sandbox.CreateSnapshotAsync(_api, sandboxId, name, cancellationToken);

    /// <inheritdoc />
    public virtual SnapshotPaginator ListSnapshots(SnapshotQuery? query = null) => new(_api, query ?? new SnapshotQuery());

    /// <inheritdoc />
    public virtual Task<bool> DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken = default) =>
        Sandbox.DeleteSnapshotAsync(_api, snapshotId, cancellationToken);

    /// <inheritdoc />
    public virtual Task<IReadOnlyList<Sandbox>> ForkAsync(string sandboxId, int count = 1, TimeSpan? timeout = null, CancellationToken cancellationToken = default) =>
        Sandbox.ForkAsync(_api, sandboxId, count, timeout, cancellationToken);

    /// <inheritdoc />
    public virtual SandboxPaginator List(SandboxQuery? query = null) => new(_api, query ?? new SandboxQuery());

    /// <summary>The API's address this client talks to.</summary>
    /// <returns>The address, for logs and diagnostics.</returns>
    public override string ToString() => $"SandboxClient {_api.Connection.ApiUrl}";
}
