using Paddock.Core.Sandboxes;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// What the proxy does with traffic into a running sandbox's ports (never the agent's): the traffic access
/// token a request must carry, if any, the Host header the sandbox's servers see instead of the caller's, and
/// which ports it reaches over TLS.
/// </summary>
/// <param name="TrafficAccessToken">The token requests must carry; null when the ports are public.</param>
/// <param name="MaskRequestHost">The upstream Host, <c>${PORT}</c> standing for the port; null to keep the caller's.</param>
/// <param name="HttpsPorts">The ports whose servers speak HTTPS.</param>
public sealed record SandboxIngress(string? TrafficAccessToken, string? MaskRequestHost, IReadOnlyList<int> HttpsPorts)
{
    /// <summary>Public ports, the caller's own Host, plain HTTP: what a sandbox created without network settings gets.</summary>
    public static readonly SandboxIngress Public = new(null, null, []);

    /// <summary>The ingress settings of <paramref name="record"/>.</summary>
    public static SandboxIngress Of(SandboxRecord record) =>
        record.TrafficAccessToken is null && record.MaskRequestHost is null && record.HttpsPorts.Count == 0
            ? Public
            : new(record.AllowPublicTraffic ? null : record.TrafficAccessToken, record.MaskRequestHost, record.HttpsPorts);

    /// <summary>Whether the server on <paramref name="port"/> speaks HTTPS.</summary>
    public bool ServesHttps(int port) => HttpsPorts.Contains(port);
}
