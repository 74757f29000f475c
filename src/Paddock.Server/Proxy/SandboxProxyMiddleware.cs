using System.Globalization;
using System.Text.Json.Serialization;
using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Server.Configuration;
using Yarp.ReverseProxy.Forwarder;

namespace Paddock.Server.Proxy;

/// <summary>
/// Sandbox traffic on the API's own address: requests routed by E2B's sandbox headers or host name
/// go to the sandbox's agent (port 49983) or to whatever listens on another port inside it, streaming
/// both ways. A paused sandbox created with autoResume is resumed first (<see cref="AutoResume"/>). A sandbox
/// that is unknown, killed or paused, and a port nobody listens on, get E2B's 502 bodies, which the SDKs
/// read as "not running". envd's internal paths are refused from outside, and so is a request to a private
/// port without the sandbox's traffic access token (E2B's 403).
/// </summary>
internal sealed partial class SandboxProxyMiddleware(
    RequestDelegate next,
    IHttpForwarder forwarder,
    SandboxTransport transport,
    RunningSandboxes running,
    LifecycleService lifecycle,
    ServerOptions options,
    ILogger<SandboxProxyMiddleware> logger)
{
    private static readonly HashSet<string> s_internalPaths = new(StringComparer.OrdinalIgnoreCase)
    {
        "/init", "/freeze", "/unfreeze", "/collapse", "/fsfreeze", "/fsthaw",
    };

    private static readonly ForwarderRequestConfig s_requestConfig = new() { ActivityTimeout = TimeSpan.FromMinutes(10) };

    public async Task InvokeAsync(HttpContext context)
    {
        var target = SandboxTarget.Resolve(context.Request, options.Domain, out var error)
            ?? (error is null ? SignedFileUrl.Resolve(context.Request, running) : null);
        if (target is null)
        {
            if (error is null && SignedFileUrl.IsSigned(context.Request))
            {
                // envd's answer to a signature no running sandbox made (a paused or killed one's included).
                await Api.ApiError.WriteAsync(context, StatusCodes.Status401Unauthorized, "invalid signature");
            }
            else if (error is null)
            {
                await next(context);
            }
            else
            {
                await Api.ApiError.WriteAsync(context, StatusCodes.Status400BadRequest, error);
            }

            return;
        }

        if (!running.IsRunning(target.SandboxId))
        {
            switch (await AutoResume.TryAsync(context, target, lifecycle, context.RequestAborted))
            {
                case AutoResume.Outcome.Forbidden:
                    await Api.ApiError.WriteAsync(context, StatusCodes.Status403Forbidden, "This sandbox can't be resumed with the credentials provided. Check your access token and try again.");
                    return;
                case AutoResume.Outcome.NotResumable:
                    await WriteProxyErrorAsync(context, new ProxyError(target.SandboxId, "The sandbox was not found", null, 502));
                    return;
            }
        }

        var ingress = running.IngressOf(target.SandboxId);
        if (TrafficAccessCheck.Refusal(context.Request, target, ingress) is { } refusal)
        {
            await WriteProxyErrorAsync(context, new ProxyError(target.SandboxId, refusal, null, StatusCodes.Status403Forbidden));
            return;
        }

        if (target.Port == ISandboxRuntime.AgentPort && s_internalPaths.Contains(context.Request.Path.Value ?? string.Empty))
        {
            await Api.ApiError.WriteAsync(context, StatusCodes.Status403Forbidden, $"{context.Request.Path} is internal to the sandbox");
            return;
        }

        // Bodies stream through to the sandbox (a file upload can be any size); the sandbox bounds them.
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = null;
        }

        // Traffic in flight ends when the sandbox stops running (paused, killed, timed out), as when E2B's VM goes
        // away: a Connect stream with an error the SDKs read as "sandbox ended", anything else by closing the
        // connection. A paused sandbox would otherwise hold its callers until it is resumed.
        var stopped = running.StoppedToken(target.SandboxId);
        var responses = new SandboxResponses(target.SandboxId, stopped, UpstreamHost(context.Request, target, ingress));
        using var ending = stopped.Register(() =>
        {
            if (!responses.EndsItself)
            {
                context.Abort();
            }
        });
        var result = await forwarder.SendAsync(context, SandboxTransport.DestinationOf(target, ingress.ServesHttps(target.Port)), transport.Invoker, s_requestConfig, responses);
        if (result == ForwarderError.None || context.Response.HasStarted)
        {
            return;
        }

        var exception = context.GetForwarderErrorFeature()?.Exception;
        if (FindPortClosed(exception) is not null)
        {
            await WriteProxyErrorAsync(context, new ProxyError(target.SandboxId, "The sandbox is running but port is not open", target.Port, 502));
        }
        else if (result is not (ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled))
        {
            LogForwardFailed(logger, target.SandboxId, target.Port, result, exception);
            await WriteProxyErrorAsync(context, new ProxyError(target.SandboxId, "The sandbox was not found", null, 502));
        }
    }

    private static SandboxPortClosedException? FindPortClosed(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SandboxPortClosedException closed)
            {
                return closed;
            }
        }

        return null;
    }

    // The Host a server in the sandbox sees, as E2B's proxy passes it: the caller's own (the public host name a
    // dev server may check), or the sandbox's mask with ${PORT} as the port. The agent keeps its internal name.
    private static string? UpstreamHost(HttpRequest request, SandboxTarget target, SandboxIngress ingress) =>
        target.Port == ISandboxRuntime.AgentPort ? null
        : ingress.MaskRequestHost is { } mask ? mask.Replace("${PORT}", target.Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
        : request.Host.HasValue ? request.Host.Value
        : null;

    private static Task WriteProxyErrorAsync(HttpContext context, ProxyError body)
    {
        context.Response.Clear();
        context.Response.StatusCode = body.Code;
        return context.Response.WriteAsJsonAsync(body, ProxyJson.Default.ProxyError);
    }

    [LoggerMessage(200, LogLevel.Warning, "Forwarding to port {Port} of sandbox {SandboxId} failed: {Error}")]
    private static partial void LogForwardFailed(ILogger logger, string sandboxId, int port, ForwarderError error, Exception? exception);
}

/// <summary>E2B's proxy error body.</summary>
internal sealed record ProxyError(
    [property: JsonPropertyName("sandboxId")] string SandboxId,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("port"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Port,
    [property: JsonPropertyName("code")] int Code);

[JsonSerializable(typeof(ProxyError))]
[JsonSerializable(typeof(ConnectEndError))]
internal sealed partial class ProxyJson : JsonSerializerContext;
