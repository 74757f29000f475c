namespace Paddock.Client;

/// <summary>
/// Where the sandbox API is and how to authenticate. Without explicit values it reads <c>PADDOCK_API_URL</c> and
/// <c>PADDOCK_API_KEY</c>, then E2B's <c>E2B_API_URL</c>, <c>E2B_SANDBOX_URL</c>, <c>E2B_API_KEY</c> and
/// <c>E2B_DOMAIN</c>, so code written for E2B's environment works unchanged. With no address given at all, the SDK
/// talks to a Paddock server on this machine (<see cref="DefaultApiUrl"/>): it never sends a key to another service
/// unless told to. E2B's cloud is used only when asked for by name: <see cref="Domain"/> or <c>E2B_DOMAIN</c> set
/// (e.g. <c>e2b.app</c>), or its address given as the API URL.
/// </summary>
public sealed record ConnectionOptions
{
    /// <summary>Where a Paddock server listens by default (what <c>scripts/up.sh</c> and <c>paddock server</c> start).</summary>
    public static readonly Uri DefaultApiUrl = new("http://127.0.0.1:3000/");

    /// <summary>The API's base address, e.g. <c>http://127.0.0.1:3000</c>.</summary>
    public Uri? ApiUrl { get; init; }

    /// <summary>
    /// Where sandbox traffic goes (routed by the <c>E2b-Sandbox-Id</c>/<c>E2b-Sandbox-Port</c> headers). Defaults to
    /// the API's address for Paddock; with only a <see cref="Domain"/>, per-sandbox host names under it (E2B's cloud).
    /// </summary>
    public Uri? SandboxUrl { get; init; }

    /// <summary>The API key (<c>e2b_…</c>), sent as <c>X-API-Key</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>
    /// The sandbox domain: host names of sandbox ports (<see cref="Sandbox.GetHost"/>) are <c>&lt;port&gt;-&lt;id&gt;.&lt;domain&gt;</c>,
    /// and, with no API URL, the API is <c>https://api.&lt;domain&gt;</c> (set <c>e2b.app</c> for E2B's cloud).
    /// </summary>
    public string? Domain { get; init; }

    /// <summary>How long one API request may take (sandbox creation included). Default 60 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The options from the environment variables (see the type's summary).</summary>
    public static ConnectionOptions FromEnvironment() => new();

    internal ResolvedConnection Resolve()
    {
        var domain = Domain ?? Variable("E2B_DOMAIN");
        var explicitApi = ApiUrl ?? UriOf("PADDOCK_API_URL") ?? UriOf("E2B_API_URL");
        var api = explicitApi ?? (domain is not null ? new Uri($"https://api.{domain}/") : DefaultApiUrl);
        var key = ApiKey ?? Variable("PADDOCK_API_KEY") ?? Variable("E2B_API_KEY")
            ?? throw new SandboxAuthenticationException("no API key: set PADDOCK_API_KEY (or E2B_API_KEY), or ConnectionOptions.ApiKey");

        // Sandbox traffic: an address given for it; else, for E2B's cloud (a domain and no API address of one's
        // own), per-sandbox host names; else the API's own address, routed by headers, as Paddock serves it.
        var sandbox = SandboxUrl ?? UriOf("E2B_SANDBOX_URL") ?? (domain is not null && explicitApi is null ? null : api);
        return new ResolvedConnection(api, sandbox, key, domain, RequestTimeout);
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static Uri? UriOf(string variable)
    {
        if (Variable(variable) is not { } value)
        {
            return null;
        }

        return Uri.TryCreate(value.EndsWith('/') ? value : value + "/", UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new InvalidArgumentException($"{variable} must be an http(s) URL such as http://127.0.0.1:3000, not '{value}'");
    }
}

/// <summary>Connection settings with every default applied.</summary>
internal sealed record ResolvedConnection(Uri ApiUrl, Uri? SandboxUrl, string ApiKey, string? Domain, TimeSpan RequestTimeout)
{
    /// <summary>The base address of a sandbox port: the sandbox URL with routing headers, or E2B's host name.</summary>
    public Uri SandboxBase(string sandboxId, int port) =>
        SandboxUrl ?? new Uri($"https://{port}-{sandboxId}.{Domain}/");
}
