using System.Net;

namespace Paddock.Client;

/// <summary>
/// Why a sandbox's traffic failed when the sandbox may no longer run (the proxy's 502, a stream ended with
/// <c>unavailable</c>, a connection cut in the middle): the API says whether it is paused, was killed and why, or
/// still runs, and the caller gets the exception that says so instead of a network error.
/// </summary>
internal static class SandboxStopped
{
    // The server ends a sandbox's traffic the moment it stops taking any, a few milliseconds before its record
    // says paused or killed: a record that still says running is asked again for this long.
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan s_poll = TimeSpan.FromMilliseconds(50);

    public static async Task<Exception> ExplainAsync(ControlPlane api, string sandboxId, string during, Exception? inner, CancellationToken cancellationToken)
    {
        try
        {
            var settling = System.Diagnostics.Stopwatch.StartNew();
            var (status, json, _) = await GetAsync(api, sandboxId, cancellationToken).ConfigureAwait(false);
            while (status != HttpStatusCode.NotFound && json?["state"]?.GetValue<string>() == "running" && settling.Elapsed < s_settle)
            {
                await Task.Delay(s_poll, cancellationToken).ConfigureAwait(false);
                (status, json, _) = await GetAsync(api, sandboxId, cancellationToken).ConfigureAwait(false);
            }

            if (status == HttpStatusCode.NotFound)
            {
                var code = json?["error_code"]?.GetValue<string>();
                var message = json?["message"]?.GetValue<string>() ?? $"sandbox {sandboxId} does not exist";
                return code == "sandbox_killed_timeout"
                    ? new SandboxTimeoutException($"sandbox {sandboxId} timed out {during}: its timeout passed (raise it with SetTimeoutAsync)", inner) { StatusCode = 404, Code = code }
                    : new SandboxNotFoundException($"{message} ({during})") { StatusCode = 404, Code = code };
            }

            if (json?["state"]?.GetValue<string>() == "paused")
            {
                return new SandboxPausedException($"sandbox {sandboxId} is paused ({during}): connect to it (Sandbox.ConnectAsync) to resume it");
            }

            return new SandboxException($"the connection to sandbox {sandboxId} was lost {during}; it still runs", inner);
        }
        catch (Exception ex) when (ex is ISandboxError)
        {
            return new SandboxException($"sandbox {sandboxId} could not be reached {during}, nor its state read: {ex.Message}", inner ?? ex);
        }
    }

    private static Task<(HttpStatusCode Status, System.Text.Json.Nodes.JsonNode? Body, System.Net.Http.Headers.HttpResponseHeaders Headers)> GetAsync(
        ControlPlane api, string sandboxId, CancellationToken cancellationToken) =>
        api.SendAsync(HttpMethod.Get, $"sandboxes/{Uri.EscapeDataString(sandboxId)}", null, cancellationToken, HttpStatusCode.NotFound);
}
