using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// The code interpreter's HTTP application, on its own loopback port inside the sandbox (49999, as
/// E2B's), which the host reaches through the agent's port tunnel like any port a user opens.
/// </summary>
internal sealed class InterpreterApplication(AgentState state) : IHttpApplication<HttpContext>
{
    // A secure sandbox's interpreter runs code only for the holder of its access token (see AccessToken).
    private readonly InterpreterEndpoints _endpoints = new(state);
    private int _used;

    /// <summary>
    /// Whether it holds something a sleep would lose: once asked anything, its contexts' ids are known to callers and
    /// their kernels may hold variables, so a sandbox that used the interpreter stays awake.
    /// </summary>
    public bool HoldsState => Volatile.Read(ref _used) == 1;

    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
    }

    public async Task ProcessRequestAsync(HttpContext context)
    {
        IdleTrimmer.Touch();
        try
        {
            if (!Http.AccessToken.AllowsInterpreter(state, context.Request))
            {
                await Http.Errors.WriteAsync(context, StatusCodes.Status401Unauthorized, Http.AccessToken.Unauthorized);
                return;
            }

            if (context.Request.Path != "/health")
            {
                Volatile.Write(ref _used, 1);
            }

            await _endpoints.HandleAsync(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            AgentLog.Error("Code interpreter request failed", ("method", context.Request.Method), ("path", context.Request.Path), ("error", ex.ToString()));
            if (!context.Response.HasStarted)
            {
                context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(ex.Message);
            }
        }
    }
}
