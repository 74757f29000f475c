using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// An isolated sandbox: create one with <see cref="CreateAsync(SandboxOptions?, CancellationToken)"/>,
/// run commands (<see cref="Commands"/>) and code (<see cref="RunCodeAsync"/>), move files
/// (<see cref="Files"/>), pause it (keeping its memory, or its files only), snapshot or fork it, and kill it, or let
/// <c>await using</c> kill it for you.
/// </summary>
public partial class Sandbox : IAsyncDisposable
{
    private readonly ControlPlane _api;

    private Sandbox(ControlPlane api, string sandboxId, string? accessToken, string envdVersion, string? trafficAccessToken)
    {
        _api = api;
        SandboxId = sandboxId;
        EnvdVersion = envdVersion;
        AccessToken = accessToken;
        TrafficAccessToken = trafficAccessToken;
        Transport = new EnvdTransport(api, sandboxId, accessToken, trafficAccessToken);
        Commands = new Commands(Transport);
        Pty = new Pty(Commands);
        Files = new Files(Transport);
    }

    /// <summary>For test doubles (mocking libraries): a sandbox with no connection, whose members the double overrides.</summary>
    protected Sandbox()
    {
        _api = null!;
        SandboxId = string.Empty;
        EnvdVersion = string.Empty;
        Transport = null!;
        Commands = null!;
        Pty = null!;
        Files = null!;
    }

    /// <summary>The sandbox's id: keep it to connect again later.</summary>
    public virtual string SandboxId { get; }

    /// <summary>The version of the envd protocol the sandbox's daemon speaks.</summary>
    public virtual string EnvdVersion { get; }

    /// <summary>Run commands and background processes in the sandbox.</summary>
    public virtual Commands Commands { get; }

    /// <summary>Interactive terminals in the sandbox.</summary>
    public virtual Pty Pty { get; }

    /// <summary>Read, write, list and watch the sandbox's files.</summary>
    public virtual Files Files { get; }

    internal string? AccessToken { get; }

    /// <summary>
    /// The token requests to the sandbox's ports must carry in the <c>e2b-traffic-access-token</c> header when it was
    /// created with <see cref="SandboxOptions.AllowPublicTraffic"/> false; null when its ports are public. The SDK's
    /// own requests (code execution included) send it; add it to yours, to <see cref="GetHost(int)"/> for example.
    /// </summary>
    public virtual string? TrafficAccessToken { get; }

    internal EnvdTransport Transport { get; }

    /// <summary>Creates a sandbox (from <c>base</c>, for 5 minutes, unless <paramref name="options"/> say otherwise).</summary>
    public static Task<Sandbox> CreateAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateAsync(ControlPlane.For(options?.Connection), options ?? new SandboxOptions(), autoPause: null, cancellationToken);

    /// <summary>Creates a sandbox from a template, for 5 minutes.</summary>
    public static Task<Sandbox> CreateAsync(string template, CancellationToken cancellationToken = default) =>
        CreateAsync(new SandboxOptions { Template = template }, cancellationToken);

    /// <summary>
    /// Creates a sandbox that, with <paramref name="autoPause"/>, is paused instead of killed when its
    /// timeout passes (connect to resume it). E2B's beta API of the lifecycle guide.
    /// </summary>
    public static Task<Sandbox> BetaCreateAsync(bool autoPause, SandboxOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateAsync(ControlPlane.For(options?.Connection), options ?? new SandboxOptions(), autoPause, cancellationToken);

    /// <summary>
    /// Connects to a sandbox by id. A running sandbox's timeout is moved to at least <paramref name="timeout"/> from now
    /// (never shortened); a paused one is resumed, and its timeout set to <paramref name="timeout"/> from now, as E2B does.
    /// </summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="timeout">5 minutes when not given.</param>
    /// <param name="connection">Where the API is; the environment's settings when not given.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The sandbox, running.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    public static Task<Sandbox> ConnectAsync(string sandboxId, TimeSpan? timeout = null, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        ConnectAsync(ControlPlane.For(connection), sandboxId, timeout, cancellationToken);

    internal static async Task<Sandbox> ConnectAsync(ControlPlane api, string sandboxId, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["timeout"] = Seconds(timeout ?? TimeSpan.FromMinutes(5)) };
        var (_, json, _) = await api.SendAsync(HttpMethod.Post, $"sandboxes/{Escape(sandboxId)}/connect", body, idempotent: true, cancellationToken).ConfigureAwait(false);
        return FromResponse(api, json!);
    }

    /// <summary>Kills a sandbox by id: true, or false when there was no such sandbox.</summary>
    public static Task<bool> KillAsync(string sandboxId, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        KillAsync(ControlPlane.For(connection), sandboxId, cancellationToken);

    internal static async Task<bool> KillAsync(ControlPlane api, string sandboxId, CancellationToken cancellationToken)
    {
        var (status, _, _) = await api.SendAsync(HttpMethod.Delete, $"sandboxes/{Escape(sandboxId)}", null, cancellationToken, HttpStatusCode.NotFound).ConfigureAwait(false);
        return status != HttpStatusCode.NotFound;
    }

    /// <summary>What the API knows about a sandbox, by id, without connecting to it.</summary>
    public static Task<SandboxInfo> GetInfoAsync(string sandboxId, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        GetInfoAsync(ControlPlane.For(connection), sandboxId, cancellationToken);

    /// <summary>Sets a sandbox's timeout to <paramref name="timeout"/> from now, by id.</summary>
    public static Task SetTimeoutAsync(string sandboxId, TimeSpan timeout, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        SetTimeoutAsync(ControlPlane.For(connection), sandboxId, timeout, cancellationToken);

    /// <summary>Pauses a sandbox by id: true, or false when it was already paused.</summary>
    public static Task<bool> PauseAsync(string sandboxId, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        PauseAsync(ControlPlane.For(connection), sandboxId, keepMemory: true, cancellationToken);

    /// <summary>Pauses a sandbox by id, keeping its memory or only its files (see the instance method).</summary>
    /// <param name="sandboxId">The sandbox's id.</param>
    /// <param name="keepMemory">True: frozen, memory and files kept. False: its files only, and a resume boots it afresh.</param>
    /// <param name="connection">Where the API is; the environment's settings when not given.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True, or false when it was already paused.</returns>
    /// <exception cref="SandboxNotFoundException">No such sandbox, or it was killed.</exception>
    public static Task<bool> PauseAsync(string sandboxId, bool keepMemory, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        PauseAsync(ControlPlane.For(connection), sandboxId, keepMemory, cancellationToken);

    /// <summary>Lists running and paused sandboxes, newest first, a page at a time.</summary>
    public static SandboxPaginator List(SandboxQuery? query = null, ConnectionOptions? connection = null) =>
        new(ControlPlane.For(connection), query ?? new SandboxQuery());

    /// <summary>Kills this sandbox: true, or false when it was already gone.</summary>
    public virtual Task<bool> KillAsync(CancellationToken cancellationToken = default) => KillAsync(_api, SandboxId, cancellationToken);

    /// <summary>Sets the timeout to <paramref name="timeout"/> from now: shorter or longer.</summary>
    public virtual Task SetTimeoutAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => SetTimeoutAsync(_api, SandboxId, timeout, cancellationToken);

    /// <summary>
    /// Replaces what this sandbox's outbound traffic may reach (all of it: lists not given are cleared), in
    /// force for its open and new connections when the task completes.
    /// </summary>
    /// <param name="network">The new rules.</param>
    /// <param name="allowInternetAccess">A new internet setting; null keeps the current one.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public virtual Task UpdateNetworkAsync(SandboxNetwork network, bool? allowInternetAccess = null, CancellationToken cancellationToken = default) =>
        UpdateNetworkAsync(_api, SandboxId, network, allowInternetAccess, cancellationToken);

    /// <summary>Replaces a sandbox's outbound rules by id (see the instance method).</summary>
    public static Task UpdateNetworkAsync(string sandboxId, SandboxNetwork network, bool? allowInternetAccess = null, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        UpdateNetworkAsync(ControlPlane.For(connection), sandboxId, network, allowInternetAccess, cancellationToken);

    internal static async Task UpdateNetworkAsync(ControlPlane api, string sandboxId, SandboxNetwork network, bool? allowInternetAccess, CancellationToken cancellationToken)
    {
        var body = NetworkJson(network);
        if (allowInternetAccess is { } internet)
        {
            body["allow_internet_access"] = internet;
        }

        // A full replace: sending it twice leaves the same rules, so it may be retried.
        await api.SendAsync(HttpMethod.Put, $"sandboxes/{Escape(sandboxId)}/network", body, idempotent: true, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What the API knows about this sandbox.</summary>
    public virtual Task<SandboxInfo> GetInfoAsync(CancellationToken cancellationToken = default) => GetInfoAsync(_api, SandboxId, cancellationToken);

    private static JsonObject NetworkJson(SandboxNetwork network) => new()
    {
        ["allowOut"] = new JsonArray([.. network.AllowOut.Select(v => (JsonNode)v)]),
        ["denyOut"] = new JsonArray([.. network.DenyOut.Select(v => (JsonNode)v)]),
    };

    internal static async Task SetTimeoutAsync(ControlPlane api, string sandboxId, TimeSpan timeout, CancellationToken cancellationToken) =>
        await api.SendAsync(HttpMethod.Post, $"sandboxes/{Escape(sandboxId)}/timeout", new JsonObject { ["timeout"] = Seconds(timeout) }, idempotent: true, cancellationToken).ConfigureAwait(false);

    internal static async Task<SandboxInfo> GetInfoAsync(ControlPlane api, string sandboxId, CancellationToken cancellationToken)
    {
        var (_, json, _) = await api.SendAsync(HttpMethod.Get, $"sandboxes/{Escape(sandboxId)}", null, cancellationToken).ConfigureAwait(false);
        return SandboxInfo.FromJson(json!);
    }

    /// <summary>Pauses the sandbox, memory and files kept: true, or false when it was already paused.</summary>
    public virtual Task<bool> PauseAsync(CancellationToken cancellationToken = default) => PauseAsync(_api, SandboxId, keepMemory: true, cancellationToken);

    /// <summary>
    /// Pauses the sandbox (E2B's <c>pause({keepMemory})</c>). With <paramref name="keepMemory"/> it is frozen: its
    /// processes and memory are kept and a resume finds them as they were. Without, only its files are kept: every
    /// process ends and its memory is freed, and a resume boots it afresh over the same files (same id and access
    /// token). A pause of files only holds no memory however long it lasts, and survives a restart of the host.
    /// </summary>
    /// <param name="keepMemory">True: frozen, memory and files kept. False: its files only.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>True, or false when it was already paused.</returns>
    /// <exception cref="SandboxNotFoundException">The sandbox was killed.</exception>
    public virtual Task<bool> PauseAsync(bool keepMemory, CancellationToken cancellationToken = default) => PauseAsync(_api, SandboxId, keepMemory, cancellationToken);

    internal static async Task<bool> PauseAsync(ControlPlane api, string sandboxId, bool keepMemory, CancellationToken cancellationToken)
    {
        var body = new JsonObject { ["memory"] = keepMemory };
        var (status, _, _) = await api.SendAsync(HttpMethod.Post, $"sandboxes/{Escape(sandboxId)}/pause", body, cancellationToken, HttpStatusCode.Conflict).ConfigureAwait(false);
        return status != HttpStatusCode.Conflict;
    }

    /// <summary>E2B's beta name of <see cref="PauseAsync(CancellationToken)"/>.</summary>
    public virtual Task<bool> BetaPauseAsync(CancellationToken cancellationToken = default) => PauseAsync(cancellationToken);

    /// <summary>Whether the sandbox runs and its daemon answers.</summary>
    public virtual async Task<bool> IsRunningAsync(CancellationToken cancellationToken = default)
    {
        using var request = Transport.Request(HttpMethod.Get, EnvdTransport.EnvdPort, "health");
        try
        {
            using var response = await Transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode;
        }
        catch (Exception ex) when (ex is SandboxTimeoutException or SandboxNotFoundException or SandboxPausedException)
        {
            return false;
        }
    }

    /// <summary>
    /// The host name of a port of the sandbox (<c>&lt;port&gt;-&lt;id&gt;.&lt;domain&gt;</c>), for servers that route by host name
    /// (E2B's cloud, or Paddock with its <c>Domain</c> setting).
    /// </summary>
    /// <exception cref="InvalidOperationException">No domain is configured (<see cref="ConnectionOptions.Domain"/> or <c>E2B_DOMAIN</c>).</exception>
    public virtual string GetHost(int port) => _api.Connection.Domain is { } domain
        ? $"{port.ToString(CultureInfo.InvariantCulture)}-{SandboxId}.{domain}"
        : throw new InvalidOperationException("no sandbox domain: set ConnectionOptions.Domain or E2B_DOMAIN to the server's Domain setting (sandbox ports are also reachable through the API's address with the E2b-Sandbox-Id and E2b-Sandbox-Port headers)");

    /// <summary>Kills the sandbox (errors ignored): what <c>await using</c> does at the end of the block.</summary>
    /// <returns>A task that completes once the sandbox is killed (or could not be).</returns>
    public async ValueTask DisposeAsync()
    {
        await DisposeAsyncCore().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>What <see cref="DisposeAsync"/> does: kills the sandbox, ignoring failures. Test doubles may override it.</summary>
    /// <returns>A task that completes once the sandbox is killed (or could not be).</returns>
    protected virtual async ValueTask DisposeAsyncCore()
    {
        try
        {
            await KillAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ISandboxError)
        {
        }
    }

    /// <summary>The sandbox's id, for logs.</summary>
    /// <returns><c>Sandbox &lt;id&gt;</c>.</returns>
    public override string ToString() => $"Sandbox {SandboxId}";

    internal static async Task<Sandbox> CreateAsync(ControlPlane api, SandboxOptions options, bool? autoPause, CancellationToken cancellationToken)
    {
        using var activity = ClientTelemetry.Source.StartActivity("paddock sandbox create");
        activity?.SetTag("paddock.template", options.Template);
        var body = new JsonObject
        {
            ["templateID"] = options.Template,
            ["timeout"] = Seconds(options.Timeout),
            ["secure"] = options.Secure,
        };
        if ((autoPause ?? options.AutoPause) is { } pause)
        {
            body["autoPause"] = pause;
        }

        if (options.AutoPauseMemory is { } pauseMemory)
        {
            body["autoPauseMemory"] = pauseMemory;
        }

        if (options.AutoResume is { } resume)
        {
            body["autoResume"] = new JsonObject { ["enabled"] = resume };
        }

        if (options.Metadata is { Count: > 0 } metadata)
        {
            body["metadata"] = JsonMaps.From(metadata);
        }

        if (options.EnvVars is { Count: > 0 } envVars)
        {
            body["envVars"] = JsonMaps.From(envVars);
        }

        if (options.AllowInternetAccess is { } internet)
        {
            body["allow_internet_access"] = internet;
        }

        if (options.Network is { } network)
        {
            body["network"] = NetworkJson(network);
        }

        if (!options.AllowPublicTraffic || options.MaskRequestHost is not null || options.HttpsPorts is { Count: > 0 })
        {
            var ingress = body["network"] as JsonObject ?? [];
            body["network"] = ingress;
            ingress["allowPublicTraffic"] = options.AllowPublicTraffic;
            if (options.MaskRequestHost is { } mask)
            {
                ingress["maskRequestHost"] = mask;
            }

            if (options.HttpsPorts is { Count: > 0 } httpsPorts)
            {
                ingress["httpsPorts"] = new JsonArray([.. httpsPorts.Select(p => (JsonNode)p)]);
            }
        }

        try
        {
            // Never retried: a create that reached the server but lost its answer would make a second sandbox.
            var (_, json, _) = await api.SendAsync(HttpMethod.Post, "sandboxes", body, idempotent: false, cancellationToken).ConfigureAwait(false);
            var sandbox = FromResponse(api, json!);
            activity?.SetTag("paddock.sandbox.id", sandbox.SandboxId);
            return sandbox;
        }
        catch (SandboxNotFoundException ex)
        {
            // A create names no sandbox: its 404 is about the template.
            var invalid = new InvalidArgumentException(ex.Message) { StatusCode = 404 };
            ClientTelemetry.Fail(activity, invalid);
            throw invalid;
        }
        catch (Exception ex) when (ex is ISandboxError)
        {
            ClientTelemetry.Fail(activity, ex);
            throw;
        }
    }

    private static Sandbox FromResponse(ControlPlane api, JsonNode json) => new(
        api,
        json["sandboxID"]!.GetValue<string>(),
        json["envdAccessToken"]?.GetValue<string>(),
        json["envdVersion"]?.GetValue<string>() ?? "0.0.0",
        json["trafficAccessToken"]?.GetValue<string>());

    private static int Seconds(TimeSpan value) => (int)Math.Ceiling(value.TotalSeconds);

    private static string Escape(string id) => Uri.EscapeDataString(id);
}
