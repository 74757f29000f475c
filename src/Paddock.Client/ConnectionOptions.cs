namespace Paddock.Client;

/// <summary>
/// Where the sandbox API is and how to authenticate. Without explicit values it reads
/// <c>PADDOCK_API_URL</c> and <c>PADDOCK_API_KEY</c>, then E2B's <c>E2B_API_URL</c>,
/// <c>E2B_SANDBOX_URL</c>, <c>E2B_API_KEY</c> and <c>E2B_DOMAIN</c>, so code written for E2B's
/// environment works unchanged.
/// </summary>
public sealed record ConnectionOptions
{
    /// <summary>The API's base address, e.g. <c>http://127.0.0.1:3000</c>.</summary>
    public Uri? ApiUrl { get; init; }

    /// <summary>
    /// Where sandbox traffic goes (routed by the <c>E2b-Sandbox-Id</c>/<c>E2b-Sandbox-Port</c> headers).
    /// Defaults to <see cref="ApiUrl"/> for Paddock; E2B's cloud uses per-sandbox host names under <see cref="Domain"/>.
    /// </summary>
    public Uri? SandboxUrl { get; init; }

    /// <summary>The API key (<c>e2b_…</c>), sent as <c>X-API-Key</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>The sandbox domain, used for host names (<see cref="Sandbox.GetHost"/>) and E2B's cloud.</summary>
    public string? Domain { get; init; }

    /// <summary>How long one API request may take (sandbox creation included). Default 60 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The options from the environment variables (see the type's summary).</summary>
    public static ConnectionOptions FromEnvironment() => new();

    internal ResolvedConnection Resolve()
    {
        var domain = Domain ?? Variable("E2B_DOMAIN") ?? "e2b.app";
        var api = ApiUrl
            ?? UriOf("PADDOCK_API_URL")
            ?? UriOf("E2B_API_URL")
            ?? new Uri($"https://api.{domain}");
        var key = ApiKey ?? Variable("PADDOCK_API_KEY") ?? Variable("E2B_API_KEY")
            ?? throw new AuthenticationException("no API key: set PADDOCK_API_KEY (or E2B_API_KEY), or ConnectionOptions.ApiKey");
        var sandbox = SandboxUrl ?? UriOf("E2B_SANDBOX_URL")
            ?? (Variable("PADDOCK_API_URL") is not null || ApiUrl is not null ? api : null);
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
internal sealed record ResolvedConnection(Uri ApiUrl, Uri? SandboxUrl, string ApiKey, string Domain, TimeSpan RequestTimeout)
{
    /// <summary>The base address of a sandbox port: the sandbox URL with routing headers, or E2B's host name.</summary>
    public Uri SandboxBase(string sandboxId, int port) =>
        SandboxUrl ?? new Uri($"https://{port}-{sandboxId}.{Domain}/");
}
