using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// E2B's code interpreter server (port 49999 inside the sandbox): <c>/execute</c> streams newline-delimited
/// JSON from a Jupyter kernel, <c>/contexts</c> manages the kernels. Errors are plain text, as E2B's are.
/// </summary>
internal sealed class InterpreterEndpoints(AgentState state)
{
    private static readonly TimeSpan s_keepalive = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_interruptGrace = TimeSpan.FromSeconds(10);
    private readonly ContextRegistry _contexts = new(state);

    public async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? string.Empty;
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        switch (request.Method, segments)
        {
            case ("GET", ["health"]):
                await WriteJsonAsync(context, JsonValue.Create("OK"));
                break;
            case ("POST", ["execute"]):
                await ExecuteAsync(context);
                break;
            case ("GET", ["contexts"]):
                await WriteJsonAsync(context, new JsonArray([.. _contexts.All.Select(c => (JsonNode)c.ToJson())]));
                break;
            case ("POST", ["contexts"]):
                await CreateContextAsync(context);
                break;
            case ("POST", ["contexts", var id, "restart"]):
                if (_contexts.Find(id) is not { } restarting)
                {
                    await WriteTextAsync(context, StatusCodes.Status404NotFound, $"Context {id} not found");
                    return;
                }

                await restarting.RestartAsync(context.RequestAborted);
                await WriteJsonAsync(context, null);
                break;
            case ("DELETE", ["contexts", var id]):
                if (!await _contexts.RemoveAsync(id))
                {
                    await WriteTextAsync(context, StatusCodes.Status404NotFound, $"Context {id} not found");
                    return;
                }

                await WriteJsonAsync(context, null);
                break;
            default:
                await WriteTextAsync(context, StatusCodes.Status404NotFound, $"no such endpoint: {request.Method} {path}");
                break;
        }
    }

    private async Task CreateContextAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        if (body is null)
        {
            return;
        }

        var language = KernelSpec.Normalize(Text(body, "language"));
        if (_contexts.Create(language, Text(body, "cwd")) is not { } created)
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, UnknownLanguage(language));
            return;
        }

        await WriteJsonAsync(context, created.ToJson());
    }

    private async Task ExecuteAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        if (body is null)
        {
            return;
        }

        if (Text(body, "code") is not { } code)
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, "'code' is required");
            return;
        }

        var contextId = Text(body, "context_id");
        var language = Text(body, "language");
        if (contextId is not null && language is not null)
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, "Only one of context_id or language can be provided");
            return;
        }

        CodeContext? target;
        if (contextId is not null)
        {
            if ((target = _contexts.Find(contextId)) is null)
            {
                await WriteTextAsync(context, StatusCodes.Status404NotFound, $"Context {contextId} not found");
                return;
            }
        }
        else if ((target = _contexts.Default(KernelSpec.Normalize(language))) is null)
        {
            await WriteTextAsync(context, StatusCodes.Status400BadRequest, UnknownLanguage(KernelSpec.Normalize(language)));
            return;
        }

        var envVars = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in body["env_vars"] as JsonObject ?? [])
        {
            envVars[name] = value?.ToString() ?? string.Empty;
        }

        var response = context.Response;
        response.ContentType = "application/x-ndjson";
        try
        {
            await target.RunAsync(async kernel =>
            {
                if (envVars.Count > 0)
                {
                    await kernel.RunSilentlyAsync(target.Spec.SetEnvCode(envVars), CancellationToken.None);
                }

                try
                {
                    await StreamAsync(context, kernel, code);
                }
                finally
                {
                    if (envVars.Count > 0)
                    {
                        await kernel.RunSilentlyAsync(target.Spec.ResetEnvCode, CancellationToken.None);
                    }
                }

                return true;
            }, context.RequestAborted);
        }
        catch (KernelDiedException ex)
        {
            // Reported in the stream; the context starts a new kernel on its next execution.
            await WriteLineAsync(response, ExecutionOutput.Error("KernelDied", ex.Message, string.Empty), context.RequestAborted);
        }

        await WriteLineAsync(response, ExecutionOutput.End(), context.RequestAborted);
    }

    // Lines as the kernel sends them, a keepalive after 5 quiet seconds, only the first error. When the
    // client goes away the kernel is interrupted and the execution drained, so the next one starts at once.
    private static async Task StreamAsync(HttpContext context, JupyterKernel kernel, string code)
    {
        var messages = kernel.Execute(code, silent: false);
        var aborted = context.RequestAborted;
        var errorSent = false;
        try
        {
            while (true)
            {
                var (message, completed) = await messages.ReadWithinAsync(s_keepalive, aborted);
                if (completed)
                {
                    return;
                }

                if (message is null)
                {
                    await WriteLineAsync(context.Response, ExecutionOutput.Keepalive(), aborted);
                    continue;
                }

                if (ExecutionOutput.LineFor(message) is not { } line || line["type"]!.GetValue<string>() == "error" && errorSent)
                {
                    continue;
                }

                errorSent |= line["type"]!.GetValue<string>() == "error";
                await WriteLineAsync(context.Response, line, aborted);
            }
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            kernel.Interrupt();
            using var grace = new CancellationTokenSource(s_interruptGrace, OnDemandTimeProvider.Instance);
            await JupyterKernel.DrainAsync(messages, grace.Token);
            throw;
        }
    }

    private static async Task WriteLineAsync(HttpResponse response, JsonObject line, CancellationToken cancellationToken)
    {
        await response.WriteAsync(line.ToJsonString() + "\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext context)
    {
        try
        {
            if (await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted) is JsonObject body)
            {
                return body;
            }
        }
        catch (JsonException)
        {
        }

        await WriteTextAsync(context, StatusCodes.Status400BadRequest, "the body must be a JSON object");
        return null;
    }

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static string UnknownLanguage(string language) => KernelSpec.Known(language) is { } missing
        ? $"No kernel for language '{language}' in this sandbox: its template has no {missing.Requires} (Paddock's code-interpreter-full template has every language); available: {string.Join(", ", KernelSpec.Languages)}"
        : $"No kernel for language '{language}' in this sandbox; available: {string.Join(", ", KernelSpec.Languages)}";

    private static Task WriteJsonAsync(HttpContext context, JsonNode? value)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(value?.ToJsonString() ?? "null", context.RequestAborted);
    }

    private static Task WriteTextAsync(HttpContext context, int status, string text)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        return context.Response.WriteAsync(text, Encoding.UTF8, context.RequestAborted);
    }
}
