namespace Paddock.Agent.Http;

/// <summary>
/// On a secure sandbox every request but <c>GET /health</c>, <c>/files</c> (which also accept signed
/// URLs) and <c>POST /init</c> needs <c>X-Access-Token</c>, as envd requires.
/// </summary>
internal static class AccessToken
{
    public static bool Allows(AgentState state, HttpRequest request) =>
        state.AccessToken is not { } token || IsExempt(request) || request.Headers["X-Access-Token"] == token;

    private static bool IsExempt(HttpRequest request) => request.Path.Value switch
    {
        "/health" => HttpMethods.IsGet(request.Method),
        "/files" => true,
        "/init" => HttpMethods.IsPost(request.Method),
        _ => false,
    };
}
