using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Paddock.Agent.Http;

/// <summary>
/// The agent's HTTP application, run by Kestrel directly. The generic host, DI and endpoint routing
/// cost about 45 ms of start-up (measured: ready in 55–70 ms against 10 ms without them), and the
/// agent's start is on every sandbox create, so requests are dispatched here by method and path.
/// </summary>
internal sealed class AgentApplication(AgentState state) : IHttpApplication<HttpContext>
{
    private const string ProcessService = "/process.Process/";
    private const string FilesystemService = "/filesystem.Filesystem/";

    private readonly Process.ProcessService _processes = new(state);
    private readonly Filesystem.FilesystemService _filesystem = new(state);
    private readonly Filesystem.FilesEndpoint _files = new(state);

    /// <summary>Whether it holds something a sleep would lose: a process it started, a directory watch.</summary>
    public bool HoldsState => _processes.HasProcesses || _filesystem.HasWatchers;

    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
    }

    public async Task ProcessRequestAsync(HttpContext context)
    {
        IdleTrimmer.Touch();
        try
        {
            await DispatchAsync(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !context.RequestAborted.IsCancellationRequested)
        {
            AgentLog.Error("Request failed", ("method", context.Request.Method), ("path", context.Request.Path), ("error", ex.ToString()));
            if (!context.Response.HasStarted)
            {
                await Errors.WriteAsync(context, StatusCodes.Status500InternalServerError, ex.Message);
            }
        }
    }

    private async Task DispatchAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        if (path == "/init" && !AccessToken.IsFromHost(context))
        {
            // Code in the sandbox reaches the agent on 127.0.0.1; it must not reset the token or the default user.
            await Errors.WriteAsync(context, StatusCodes.Status403Forbidden, "/init is accepted only from the host");
            return;
        }

        if (!AccessToken.Allows(state, request))
        {
            await Errors.WriteAsync(context, StatusCodes.Status401Unauthorized, AccessToken.Unauthorized);
            return;
        }

        if (HttpMethods.IsPost(request.Method) && path.StartsWith(ProcessService, StringComparison.Ordinal))
        {
            await _processes.HandleAsync(context, path[ProcessService.Length..]);
            return;
        }

        if (HttpMethods.IsPost(request.Method) && path.StartsWith(FilesystemService, StringComparison.Ordinal))
        {
            await _filesystem.HandleAsync(context, path[FilesystemService.Length..]);
            return;
        }

        if (path == "/files")
        {
            // /files checks the access token or a signed URL itself.
            await _files.HandleAsync(context);
            return;
        }

        switch (request.Method, path)
        {
            case ("POST", "/files/compose"):
                await _files.ComposeAsync(context);
                break;
            case ("GET", "/health"):
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                break;
            case ("GET", "/envs"):
                await context.Response.WriteAsJsonAsync(new Dictionary<string, string>(state.EnvVars), AgentJson.Default.DictionaryStringString, contentType: null, context.RequestAborted);
                break;
            case ("GET", "/metrics"):
                await context.Response.WriteAsJsonAsync(await SandboxMetrics.ReadAsync(context.RequestAborted), AgentJson.Default.MetricsResponse, contentType: null, context.RequestAborted);
                break;
            case ("POST", "/init"):
                await InitAsync(context);
                break;
            default:
                await Errors.WriteAsync(context, StatusCodes.Status404NotFound, $"no such endpoint: {request.Method} {request.Path}");
                break;
        }
    }

    private async Task InitAsync(HttpContext context)
    {
        InitRequest? body;
        try
        {
            body = await JsonSerializer.DeserializeAsync(context.Request.Body, AgentJson.Default.InitRequest, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            await Errors.WriteAsync(context, StatusCodes.Status400BadRequest, $"invalid init body: {ex.Message}");
            return;
        }

        state.Apply(body ?? new InitRequest());
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }
}
