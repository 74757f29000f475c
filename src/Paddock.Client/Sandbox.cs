using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// An isolated sandbox: create one with <see cref="CreateAsync(SandboxOptions?, CancellationToken)"/>,
/// run commands (<see cref="Commands"/>) and code (<see cref="RunCodeAsync"/>), move files
/// (<see cref="Files"/>), and kill it, or let <c>await using</c> kill it for you.
/// </summary>
public sealed partial class Sandbox : IAsyncDisposable
{
    private readonly ControlPlane _api;

    private Sandbox(ControlPlane api, string sandboxId, string? accessToken, string envdVersion)
    {
        _api = api;
        SandboxId = sandboxId;
        EnvdVersion = envdVersion;
        AccessToken = accessToken;
        Transport = new EnvdTransport(api, sandboxId, accessToken);
        Commands = new Commands(Transport);
        Pty = new Pty(Commands);
        Files = new Files(Transport);
    }

    /// <summary>The sandbox's id: keep it to connect again later.</summary>
    public string SandboxId { get; }

    /// <summary>The version of the envd protocol the sandbox's daemon speaks.</summary>
    public string EnvdVersion { get; }

    /// <summary>Run commands and background processes in the sandbox.</summary>
    public Commands Commands { get; }

    /// <summary>Interactive terminals in the sandbox.</summary>
    public Pty Pty { get; }

    /// <summary>Read, write, list and watch the sandbox's files.</summary>
    public Files Files { get; }

    internal string? AccessToken { get; }

    internal EnvdTransport Transport { get; }

    /// <summary>Creates a sandbox (from <c>base</c>, for 5 minutes, unless <paramref name="options"/> say otherwise).</summary>
    public static Task<Sandbox> CreateAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateFromAsync(options ?? new SandboxOptions(), autoPause: null, cancellationToken);

    /// <summary>Creates a sandbox from a template, for 5 minutes.</summary>
    public static Task<Sandbox> CreateAsync(string template, CancellationToken cancellationToken = default) =>
        CreateAsync(new SandboxOptions { Template = template }, cancellationToken);

    /// <summary>
    /// Creates a sandbox that, with <paramref name="autoPause"/>, is paused instead of killed when its
    /// timeout passes (connect to resume it). E2B's beta API of the lifecycle guide.
    /// </summary>
    public static Task<Sandbox> BetaCreateAsync(bool autoPause, SandboxOptions? options = null, CancellationToken cancellationToken = default) =>
        CreateFromAsync(options ?? new SandboxOptions(), autoPause, cancellationToken);

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
    public static async Task<Sandbox> ConnectAsync(string sandboxId, TimeSpan? timeout = null, ConnectionOptions? connection = null, CancellationToken cancellationToken = default)
    {
        var api = ControlPlane.For(connection);
        var body = new JsonObject { ["timeout"] = Seconds(timeout ?? TimeSpan.FromMinutes(5)) };
        var (_, json, _) = await api.SendAsync(HttpMethod.Post, $"sandboxes/{Escape(sandboxId)}/connect", body, cancellationToken).ConfigureAwait(false);
        return FromResponse(api, json!);
    }

    /// <summary>Kills a sandbox by id: true, or false when there was no such sandbox.</summary>
    public static Task<bool> KillAsync(string sandboxId, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        KillAsync(ControlPlane.For(connection), sandboxId, cancellationToken);

    private static async Task<bool> KillAsync(ControlPlane api, string sandboxId, CancellationToken cancellationToken)
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
        PauseAsync(ControlPlane.For(connection), sandboxId, cancellationToken);

    /// <summary>Lists running and paused sandboxes, newest first, a page at a time.</summary>
    public static SandboxPaginator List(SandboxQuery? query = null, ConnectionOptions? connection = null) =>
        new(ControlPlane.For(connection), query ?? new SandboxQuery());

    /// <summary>Kills this sandbox: true, or false when it was already gone.</summary>
    public Task<bool> KillAsync(CancellationToken cancellationToken = default) => KillAsync(_api, SandboxId, cancellationToken);

    /// <summary>Sets the timeout to <paramref name="timeout"/> from now: shorter or longer.</summary>
    public Task SetTimeoutAsync(TimeSpan timeout, CancellationToken cancellationToken = default) => SetTimeoutAsync(_api, SandboxId, timeout, cancellationToken);

    /// <summary>What the API knows about this sandbox.</summary>
    public Task<SandboxInfo> GetInfoAsync(CancellationToken cancellationToken = default) => GetInfoAsync(_api, SandboxId, cancellationToken);

    private static async Task SetTimeoutAsync(ControlPlane api, string sandboxId, TimeSpan timeout, CancellationToken cancellationToken) =>
        await api.SendAsync(HttpMethod.Post, $"sandboxes/{Escape(sandboxId)}/timeout", new JsonObject { ["timeout"] = Seconds(timeout) }, cancellationToken).ConfigureAwait(false);

    private static async Task<SandboxInfo> GetInfoAsync(ControlPlane api, string sandboxId, CancellationToken cancellationToken)
    {
        var (_, json, _) = await api.SendAsync(HttpMethod.Get, $"sandboxes/{Escape(sandboxId)}", null, cancellationToken).ConfigureAwait(false);
        return SandboxInfo.FromJson(json!);
    }

    /// <summary>Pauses the sandbox: true, or false when it was already paused.</summary>
    public Task<bool> PauseAsync(CancellationToken cancellationToken = default) => PauseAsync(_api, SandboxId, cancellationToken);

    private static async Task<bool> PauseAsync(ControlPlane api, string sandboxId, CancellationToken cancellationToken)
    {
        var (status, _, _) = await api.SendAsync(HttpMethod.Post, $"sandboxes/{Escape(sandboxId)}/pause", new JsonObject(), cancellationToken, HttpStatusCode.Conflict).ConfigureAwait(false);
        return status != HttpStatusCode.Conflict;
    }

    /// <summary>E2B's beta name of <see cref="PauseAsync(CancellationToken)"/>.</summary>
    public Task<bool> BetaPauseAsync(CancellationToken cancellationToken = default) => PauseAsync(cancellationToken);

    /// <summary>Whether the sandbox runs and its daemon answers.</summary>
    public async Task<bool> IsRunningAsync(CancellationToken cancellationToken = default)
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
    public string GetHost(int port) => _api.Connection.Domain is { } domain
        ? $"{port.ToString(CultureInfo.InvariantCulture)}-{SandboxId}.{domain}"
        : throw new InvalidOperationException("no sandbox domain: set ConnectionOptions.Domain or E2B_DOMAIN to the server's Domain setting (sandbox ports are also reachable through the API's address with the E2b-Sandbox-Id and E2b-Sandbox-Port headers)");

    /// <summary>Kills the sandbox (errors ignored): what <c>await using</c> does at the end of the block.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ISandboxError)
        {
        }
    }

    private static async Task<Sandbox> CreateFromAsync(SandboxOptions options, bool? autoPause, CancellationToken cancellationToken)
    {
        var api = ControlPlane.For(options.Connection);
        var body = new JsonObject
        {
            ["templateID"] = options.Template,
            ["timeout"] = Seconds(options.Timeout),
            ["secure"] = options.Secure,
        };
        if (autoPause is { } pause)
        {
            body["autoPause"] = pause;
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

        try
        {
            var (_, json, _) = await api.SendAsync(HttpMethod.Post, "sandboxes", body, cancellationToken).ConfigureAwait(false);
            return FromResponse(api, json!);
        }
        catch (SandboxNotFoundException ex)
        {
            // A create names no sandbox: its 404 is about the template.
            throw new InvalidArgumentException(ex.Message) { StatusCode = 404 };
        }
    }

    private static Sandbox FromResponse(ControlPlane api, JsonNode json) => new(
        api,
        json["sandboxID"]!.GetValue<string>(),
        json["envdAccessToken"]?.GetValue<string>(),
        json["envdVersion"]?.GetValue<string>() ?? "0.0.0");

    private static int Seconds(TimeSpan value) => (int)Math.Ceiling(value.TotalSeconds);

    private static string Escape(string id) => Uri.EscapeDataString(id);
}
