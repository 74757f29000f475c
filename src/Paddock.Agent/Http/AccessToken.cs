using System.Security.Cryptography;
using System.Text;

namespace Paddock.Agent.Http;

/// <summary>
/// What a secure sandbox's access token guards. On the agent's port, every request but <c>GET /health</c>
/// and <c>/files</c> (which also accepts signed URLs) needs <c>X-Access-Token</c>, as envd requires. On the
/// code interpreter's port, running code (<c>POST /execute</c>) needs it, and a wrong token is refused
/// everywhere; the context endpoints also answer without one, because E2B's code-interpreter SDK sends the
/// token only with <c>/execute</c>.
/// </summary>
internal static class AccessToken
{
    public const string Header = "X-Access-Token";

    public const string Unauthorized = "unauthorized access, please provide a valid access token or method signing if supported";

    public static bool Allows(AgentState state, HttpRequest request) =>
        state.AccessToken is not { } token || IsExempt(request) || Carries(request, token);

    public static bool AllowsInterpreter(AgentState state, HttpRequest request)
    {
        if (state.AccessToken is not { } token)
        {
            return true;
        }

        if (request.Headers.ContainsKey(Header))
        {
            return Carries(request, token);
        }

        return !(HttpMethods.IsPost(request.Method) && request.Path.Value == "/execute");
    }

    /// <summary>
    /// Whether a request came over the host's channel (a unix socket only the host can connect to) rather than
    /// from inside the sandbox (127.0.0.1): <c>/init</c> is the host's alone.
    /// </summary>
    public static bool IsFromHost(HttpContext context) => context.Connection.LocalIpAddress is null;

    /// <summary>Whether the request carries exactly this token (compared in constant time).</summary>
    public static bool Carries(HttpRequest request, string token) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(request.Headers[Header].ToString()), Encoding.UTF8.GetBytes(token));

    private static bool IsExempt(HttpRequest request) => request.Path.Value switch
    {
        "/health" => HttpMethods.IsGet(request.Method),
        "/files" => true,
        _ => false,
    };
}
