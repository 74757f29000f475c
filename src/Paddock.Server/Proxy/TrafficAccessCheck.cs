using System.Security.Cryptography;
using System.Text;
using Paddock.Core.Lifecycle;
using Paddock.Core.SandboxRuntime;

namespace Paddock.Server.Proxy;

/// <summary>
/// E2B's private ports: a sandbox created with <c>allowPublicTraffic: false</c> answers on every port but the
/// agent's (which has its own access token) only requests carrying its traffic access token, compared in constant
/// time. The refusal is E2B's 403 body, with its words.
/// </summary>
internal static class TrafficAccessCheck
{
    public const string Header = "e2b-traffic-access-token";

    /// <summary>Why the request may not pass, or null when it may.</summary>
    public static string? Refusal(HttpRequest request, SandboxTarget target, SandboxIngress ingress)
    {
        if (ingress.TrafficAccessToken is not { } expected || target.Port == ISandboxRuntime.AgentPort)
        {
            return null;
        }

        if (!request.Headers.TryGetValue(Header, out var given) || given.Count == 0)
        {
            return $"Sandbox is secured with traffic access token. Token header '{Header}' is missing";
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given.ToString()), Encoding.UTF8.GetBytes(expected))
            ? null
            : $"Sandbox is secured with traffic access token. Provided token in header '{Header}' is invalid";
    }
}
