using System.Globalization;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Proxy;

/// <summary>
/// Which sandbox and port a request is for, as E2B's proxy decides it: from the
/// <c>E2b-Sandbox-Id</c> and <c>E2b-Sandbox-Port</c> headers (what the SDKs send when
/// <c>E2B_SANDBOX_URL</c> is set), or from a host name <c>&lt;port&gt;-&lt;sandboxId&gt;[-…].&lt;domain&gt;</c>.
/// </summary>
internal sealed record SandboxTarget(string SandboxId, int Port)
{
    public const string IdHeader = "E2b-Sandbox-Id";
    public const string PortHeader = "E2b-Sandbox-Port";

    // The API's own paths (never envd's or the code interpreter's: /health, /files, /process.Process/…,
    // /execute, /contexts are not among them).
    private static readonly string[] s_apiPrefixes =
    [
        "/sandboxes", "/v1/sandboxes", "/v2/sandboxes", "/templates", "/v2/templates", "/v3/templates",
        "/snapshots", "/volumes", "/secrets", "/teams", "/api-keys",
    ];

    /// <summary>
    /// The target of a request; null (and no error) when the request is not sandbox traffic at all.
    /// </summary>
    public static SandboxTarget? Resolve(HttpRequest request, string? domain, out string? error)
    {
        error = null;
        if (IsApiCall(request))
        {
            return null;
        }

        var hasId = request.Headers.TryGetValue(IdHeader, out var idValue);
        var hasPort = request.Headers.TryGetValue(PortHeader, out var portValue);
        if (hasId || hasPort)
        {
            if (!hasId || !hasPort)
            {
                error = $"sandbox traffic needs both the {IdHeader} and {PortHeader} headers";
                return null;
            }

            return Parse(idValue.ToString(), portValue.ToString(), out error);
        }

        if (domain is null)
        {
            return null;
        }

        var host = request.Host.Host.ToLowerInvariant();
        var suffix = "." + domain;
        if (!host.EndsWith(suffix, StringComparison.Ordinal))
        {
            return null;
        }

        var label = host[..^suffix.Length];
        var dash = label.IndexOf('-', StringComparison.Ordinal);
        if (dash <= 0 || label.Contains('.', StringComparison.Ordinal))
        {
            return null;
        }

        return Parse(label[(dash + 1)..], label[..dash], out error);
    }

    /// <summary>
    /// An API call that carries sandbox headers anyway: E2B's Python SDK 2.7 – 2.26 sends <c>E2b-Sandbox-Id</c> and
    /// <c>E2b-Sandbox-Port</c> on every request, connect included. In E2B the API is another host, so they are
    /// harmless there; here an API key on an API path says the request is for the API, which checks the key.
    /// Sandbox traffic never carries an API key (envd takes an access token), and no sandbox endpoint lives
    /// under these paths.
    /// </summary>
    private static bool IsApiCall(HttpRequest request)
    {
        if (!request.Headers.ContainsKey(Auth.ApiKeyMiddleware.Header))
        {
            return false;
        }

        var path = request.Path.Value ?? string.Empty;
        foreach (var prefix in s_apiPrefixes)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && (path.Length == prefix.Length || path[prefix.Length] == '/'))
            {
                return true;
            }
        }

        return false;
    }

    private static SandboxTarget? Parse(string rawId, string rawPort, out string? error)
    {
        error = null;
        if (!Core.Sandboxes.SandboxId.TryNormalize(rawId, out var id))
        {
            error = $"invalid sandbox ID \"{rawId}\"";
            return null;
        }

        if (!int.TryParse(rawPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            error = $"invalid sandbox port \"{rawPort}\"";
            return null;
        }

        return new SandboxTarget(id, port);
    }
}
