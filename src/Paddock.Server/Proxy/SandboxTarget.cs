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

    /// <summary>
    /// The target of a request; null (and no error) when the request is not sandbox traffic at all.
    /// </summary>
    public static SandboxTarget? Resolve(HttpRequest request, string? domain, out string? error)
    {
        error = null;
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
