namespace Paddock.Client;

/// <summary>How to create a sandbox. Every property is optional.</summary>
public sealed record SandboxOptions
{
    /// <summary>The template id or alias, or a snapshot's id or name (<see cref="Sandbox.CreateSnapshotAsync(string?, CancellationToken)"/>) to start from its files; <c>base</c> by default.</summary>
    public string Template { get; init; } = "base";

    /// <summary>How long the sandbox lives before it is killed (or paused, with auto-pause). 5 minutes by default.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Your labels for the sandbox; list queries can filter on them.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Environment variables every command and code execution in the sandbox sees.</summary>
    public IReadOnlyDictionary<string, string>? EnvVars { get; init; }

    /// <summary>Whether traffic to the sandbox needs its access token (signed URLs for file transfers). On by default.</summary>
    public bool Secure { get; init; } = true;

    /// <summary>Pause the sandbox instead of killing it when its timeout passes (connect to it to resume it). Off by default.</summary>
    public bool? AutoPause { get; init; }

    /// <summary>
    /// What the auto-pause keeps (with <see cref="AutoPause"/>): memory and files (true, the server's default), or its
    /// files only (false: nothing held in memory while paused, and a resume boots it afresh over its files). False
    /// cannot be combined with <see cref="AutoResume"/>.
    /// </summary>
    public bool? AutoPauseMemory { get; init; }

    /// <summary>
    /// Resume the sandbox when traffic reaches it while it is paused (with <see cref="AutoPause"/>): a request to any
    /// of its ports wakes it, if it carries the credentials the sandbox asks for. Off by default.
    /// </summary>
    public bool? AutoResume { get; init; }

    /// <summary>Whether the sandbox may reach the internet.</summary>
    public bool? AllowInternetAccess { get; init; }

    /// <summary>What its outbound traffic may reach, beyond <see cref="AllowInternetAccess"/> (none: no rules).</summary>
    public SandboxNetwork? Network { get; init; }

    /// <summary>
    /// Whether anyone may reach the sandbox's ports (E2B's <c>network.allowPublicTraffic</c>). True by default. When
    /// false (which needs <see cref="Secure"/>), every port but the daemon's answers only requests carrying
    /// <see cref="Sandbox.TrafficAccessToken"/> in the <c>e2b-traffic-access-token</c> header.
    /// </summary>
    public bool AllowPublicTraffic { get; init; } = true;

    /// <summary>
    /// The <c>Host</c> header the sandbox's servers see (E2B's <c>network.maskRequestHost</c>), <c>${PORT}</c> standing
    /// for the port: <c>"app.internal:${PORT}"</c>. Null: the host name the caller used.
    /// </summary>
    public string? MaskRequestHost { get; init; }

    /// <summary>
    /// Ports whose servers speak HTTPS themselves (E2B's <c>network.httpsPorts</c>): the server reaches them over TLS,
    /// their certificates unchecked, so self-signed ones work. Not the daemon's port.
    /// </summary>
    public IReadOnlyList<int>? HttpsPorts { get; init; }

    /// <summary>Where the API is; the environment variables when null. Ignored by an <see cref="ISandboxClient"/>, which has its own.</summary>
    public ConnectionOptions? Connection { get; init; }
}
