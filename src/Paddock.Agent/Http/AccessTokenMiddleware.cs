namespace Paddock.Agent.Http;

/// <summary>
/// On a secure sandbox every request but <c>GET /health</c>, <c>/files</c> (which also accept signed
/// URLs) and <c>POST /init</c> needs <c>X-Access-Token</c>, as envd requires.
/// </summary>
internal sealed class AccessTokenMiddleware(RequestDelegate next, AgentState state)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var token = state.AccessToken;
        if (token is null || IsExempt(context.Request) || context.Request.Headers["X-Access-Token"] == token)
        {
            await next(context);
            return;
        }

        await Errors.WriteAsync(context, StatusCodes.Status401Unauthorized,
            "unauthorized access, please provide a valid access token or method signing if supported");
    }

    private static bool IsExempt(HttpRequest request) => request.Path.Value switch
    {
        "/health" => HttpMethods.IsGet(request.Method),
        "/files" => true,
        "/init" => HttpMethods.IsPost(request.Method),
        _ => false,
    };
}
