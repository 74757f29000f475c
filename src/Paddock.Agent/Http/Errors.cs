namespace Paddock.Agent.Http;

internal static class Errors
{
    public static Task WriteAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorBody(status, message), AgentJson.Default.ErrorBody);
    }
}
