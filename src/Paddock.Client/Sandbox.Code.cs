using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>Running code in the sandbox's Jupyter kernels (the code interpreter on port 49999).</summary>
public partial class Sandbox
{
    /// <summary>
    /// Runs code in a stateful kernel and returns its results, output and error. Throws
    /// <see cref="SandboxTimeoutException"/> when <see cref="RunCodeOptions.Timeout"/> passes (the kernel is
    /// interrupted, so the next execution starts at once).
    /// </summary>
    public virtual async Task<Execution> RunCodeAsync(string code, RunCodeOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new RunCodeOptions();
        if (options.Language is not null && options.Context is not null)
        {
            throw new InvalidArgumentException("give a language or a context, not both");
        }

        var body = new JsonObject { ["code"] = code };
        if (options.Context is not null)
        {
            body["context_id"] = options.Context.Id;
        }

        if (options.Language is not null)
        {
            body["language"] = options.Language;
        }

        if (options.Envs is { Count: > 0 } envs)
        {
            body["env_vars"] = JsonMaps.From(envs);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (options.Timeout > TimeSpan.Zero)
        {
            timeout.CancelAfter(options.Timeout);
        }

        using var activity = ClientTelemetry.Source.StartActivity("paddock code run");
        activity?.SetTag("paddock.language", options.Language ?? options.Context?.Language ?? "python");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = "error";
        using var request = Transport.Request(HttpMethod.Post, EnvdTransport.CodeInterpreterPort, "execute");
        request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        var execution = new Execution();
        try
        {
            using var response = await Transport.SendAsync(request, timeout.Token, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            await ThrowIfInterpreterFailedAsync(response, timeout.Token).ConfigureAwait(false);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false));
            while (await reader.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
            {
                if (line.Length > 0 && JsonNode.Parse(line) is JsonObject message)
                {
                    Apply(execution, message, options);
                }
            }

            outcome = execution.Error is null ? "ok" : "error_in_code";
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SandboxTimeoutException($"the execution ran longer than {options.Timeout.TotalSeconds:0} s and was interrupted", ex);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            // The stream broke off: the sandbox was paused, killed or timed out, or the network failed. The API says which.
            var explained = await Transport.NotRunningAsync("during RunCodeAsync", ex, CancellationToken.None).ConfigureAwait(false);
            ClientTelemetry.Fail(activity, explained);
            throw explained;
        }
        finally
        {
            ClientTelemetry.RunDuration.Record(
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("kind", "code"),
                new KeyValuePair<string, object?>("outcome", outcome));
        }

        activity?.SetTag("paddock.outcome", outcome);
        return execution;
    }

    /// <summary>Creates a code context: a new kernel with its own state.</summary>
    public virtual async Task<CodeContext> CreateCodeContextAsync(string? language = null, string? cwd = null, CancellationToken cancellationToken = default)
    {
        var body = new JsonObject();
        if (language is not null)
        {
            body["language"] = language;
        }

        if (cwd is not null)
        {
            body["cwd"] = cwd;
        }

        var json = await InterpreterAsync(HttpMethod.Post, "contexts", body, cancellationToken).ConfigureAwait(false);
        return ContextOf(json!);
    }

    /// <summary>The code contexts there are (the default ones included once used).</summary>
    public virtual async Task<IReadOnlyList<CodeContext>> ListCodeContextsAsync(CancellationToken cancellationToken = default) =>
        ((await InterpreterAsync(HttpMethod.Get, "contexts", null, cancellationToken).ConfigureAwait(false)) as JsonArray ?? [])
            .Select(c => ContextOf(c!)).ToList();

    /// <summary>Restarts a context's kernel: its state is cleared.</summary>
    public virtual Task RestartCodeContextAsync(CodeContext context, CancellationToken cancellationToken = default) =>
        InterpreterAsync(HttpMethod.Post, $"contexts/{Uri.EscapeDataString(context.Id)}/restart", null, cancellationToken);

    /// <summary>Removes a context and stops its kernel.</summary>
    public virtual Task RemoveCodeContextAsync(CodeContext context, CancellationToken cancellationToken = default) =>
        InterpreterAsync(HttpMethod.Delete, $"contexts/{Uri.EscapeDataString(context.Id)}", null, cancellationToken);

    private static void Apply(Execution execution, JsonObject message, RunCodeOptions options)
    {
        switch (message["type"]?.GetValue<string>())
        {
            case "number_of_executions":
                execution.ExecutionCount = message["execution_count"]?.GetValue<int>();
                break;
            case "stdout":
                var stdout = message["text"]?.GetValue<string>() ?? string.Empty;
                execution.StdoutList.Add(stdout);
                options.OnStdout?.Invoke(stdout);
                break;
            case "stderr":
                var stderr = message["text"]?.GetValue<string>() ?? string.Empty;
                execution.StderrList.Add(stderr);
                options.OnStderr?.Invoke(stderr);
                break;
            case "result":
                var result = Result.FromJson(message);
                execution.ResultList.Add(result);
                options.OnResult?.Invoke(result);
                break;
            case "error":
                execution.Error = new ExecutionError(
                    message["name"]?.GetValue<string>() ?? "Error",
                    message["value"]?.GetValue<string>() ?? string.Empty,
                    message["traceback"]?.GetValue<string>() ?? string.Empty);
                break;
        }
    }

    private async Task<JsonNode?> InterpreterAsync(HttpMethod method, string path, JsonObject? body, CancellationToken cancellationToken)
    {
        using var request = Transport.Request(method, EnvdTransport.CodeInterpreterPort, path);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await Transport.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await ThrowIfInterpreterFailedAsync(response, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return text.Length > 0 ? JsonNode.Parse(text) : null;
    }

    private static async Task ThrowIfInterpreterFailedAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        throw response.StatusCode == HttpStatusCode.NotFound
            ? new SandboxException(text) { StatusCode = 404 }
            : ControlPlane.Error(response.StatusCode, text);
    }

    private static CodeContext ContextOf(JsonNode json) =>
        new(json["id"]!.GetValue<string>(), json["language"]!.GetValue<string>(), json["cwd"]!.GetValue<string>());
}
