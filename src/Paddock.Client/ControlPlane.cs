using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Paddock.Client;

/// <summary>
/// The REST API (E2B's control plane): requests with the API key and the SDK's User-Agent, the E2B error body mapped
/// to the SDK's exceptions, a span and a duration per request, and retries with backoff for requests that are safe
/// to repeat (never a create). Without dependency injection, one <see cref="HttpClient"/> per connection
/// configuration is shared; with it, the client comes from <c>IHttpClientFactory</c>.
/// </summary>
internal sealed partial class ControlPlane
{
    private static readonly Dictionary<ResolvedConnection, HttpClient> s_clients = [];
#if NET9_0_OR_GREATER
    private static readonly Lock s_gate = new();
#else
    private static readonly object s_gate = new();
#endif
    private static readonly TimeSpan[] s_retryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(600), TimeSpan.FromMilliseconds(1500)];
    internal static readonly ProductInfoHeaderValue UserAgent = new("paddock-dotnet-sdk", ClientTelemetry.Version);

    private readonly ILogger _logger;

    internal ControlPlane(ResolvedConnection connection, HttpClient http, ILogger? logger = null)
    {
        Connection = connection;
        Http = http;
        _logger = logger ?? NullLogger.Instance;
    }

    public ResolvedConnection Connection { get; }

    /// <summary>The client requests go through (HTTP/1.1, or HTTP/2 where the server offers it).</summary>
    public HttpClient Http { get; }

    public static ControlPlane For(ConnectionOptions? options)
    {
        var connection = (options ?? ConnectionOptions.FromEnvironment()).Resolve();
        lock (s_gate)
        {
            if (!s_clients.TryGetValue(connection, out var http))
            {
                http = NewHttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60), EnableMultipleHttp2Connections = true });
                s_clients[connection] = http;
            }

            return new ControlPlane(connection, http);
        }
    }

    /// <summary>An HTTP client fit for the SDK: no overall timeout (streams run as long as their commands), HTTP/1.1 or higher.</summary>
    internal static HttpClient NewHttpClient(HttpMessageHandler handler) => Configure(new HttpClient(handler));

    internal static HttpClient Configure(HttpClient http)
    {
        http.Timeout = Timeout.InfiniteTimeSpan;
        http.DefaultRequestVersion = HttpVersion.Version11;
        http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher;
        return http;
    }

    /// <summary>Sends an API request; GET and DELETE are idempotent (see the overload with <c>idempotent</c>).</summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)> SendAsync(
        HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, params HttpStatusCode[] accepted) =>
        await SendAsync(method, path, body, idempotent: method == HttpMethod.Get || method == HttpMethod.Delete, cancellationToken, accepted).ConfigureAwait(false);

    /// <summary>
    /// Sends an API request. <paramref name="idempotent"/> requests are tried again, up to three times with growing
    /// delays, when the server cannot be reached or answers 502, 503 or 504.
    /// </summary>
    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)> SendAsync(
        HttpMethod method, string path, JsonNode? body, bool idempotent, CancellationToken cancellationToken, params HttpStatusCode[] accepted)
    {
        var operation = Operation(method, path);
        using var activity = ClientTelemetry.Source.StartActivity($"paddock {operation}", ActivityKind.Client);
        activity?.SetTag("http.request.method", method.Method);
        activity?.SetTag("url.full", new Uri(Connection.ApiUrl, path.TrimStart('/')).ToString());
        for (var attempt = 0; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                var result = await SendOnceAsync(method, path, body, accepted, cancellationToken).ConfigureAwait(false);
                Record(operation, (int)result.Status, started);
                activity?.SetTag("http.response.status_code", (int)result.Status);
                LogRequest(_logger, method.Method, path, (int)result.Status, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                return result;
            }
            catch (Exception ex) when (idempotent && attempt < s_retryDelays.Length && IsTransient(ex))
            {
                Record(operation, (ex as SandboxException)?.StatusCode ?? 0, started);
                ClientTelemetry.Retries.Add(1, new KeyValuePair<string, object?>("operation", operation));
                LogRetry(_logger, method.Method, path, attempt + 1, s_retryDelays[attempt].TotalMilliseconds, ex.Message);
                await Task.Delay(s_retryDelays[attempt], cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                Record(operation, (ex as ISandboxError)?.StatusCode ?? 0, started);
                ClientTelemetry.Fail(activity, ex);
                LogFailed(_logger, method.Method, path, ex.Message);
                throw;
            }
        }
    }

    private async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)> SendOnceAsync(
        HttpMethod method, string path, JsonNode? body, HttpStatusCode[] accepted, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(Connection.ApiUrl, path.TrimStart('/')));
        request.Headers.Add("X-API-Key", Connection.ApiKey);
        request.Headers.UserAgent.Add(UserAgent);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Connection.RequestTimeout);
        HttpResponseMessage response;
        try
        {
            response = await Http.SendAsync(request, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new SandboxTimeoutException($"{method} {path} took longer than {Connection.RequestTimeout.TotalSeconds:0} s", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new SandboxConnectionException($"cannot reach the sandbox API at {Connection.ApiUrl}: {ex.Message}", ex);
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            JsonNode? json = null;
            if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
            {
                json = JsonNode.Parse(text);
            }

            if (response.IsSuccessStatusCode || accepted.Contains(response.StatusCode))
            {
                return (response.StatusCode, json, response.Headers);
            }

            throw Error(response.StatusCode, json?["message"]?.GetValue<string>() ?? text, json?["error_code"]?.GetValue<string>());
        }
    }

    /// <summary>E2B's mapping of API statuses to errors.</summary>
    public static SandboxException Error(HttpStatusCode status, string message, string? code = null) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new SandboxAuthenticationException(message) { StatusCode = (int)status, Code = code },
        HttpStatusCode.NotFound => new SandboxNotFoundException(message) { StatusCode = 404, Code = code },
        HttpStatusCode.BadRequest => new InvalidArgumentException(message) { StatusCode = 400, Code = code },
        HttpStatusCode.TooManyRequests => new RateLimitException(message) { StatusCode = 429, Code = code },
        HttpStatusCode.InsufficientStorage => new NotEnoughSpaceException(message) { StatusCode = 507, Code = code },
        _ => new SandboxException($"{((int)status).ToString(CultureInfo.InvariantCulture)}: {message}") { StatusCode = (int)status, Code = code },
    };

    // Worth another try: the server could not be reached, or a proxy in front of it said it is briefly unavailable.
    private static bool IsTransient(Exception exception) =>
        exception is SandboxConnectionException || (exception is SandboxException { StatusCode: 502 or 503 or 504 });

    private static void Record(string operation, int status, long started) => ClientTelemetry.RequestDuration.Record(
        Stopwatch.GetElapsedTime(started).TotalSeconds,
        new KeyValuePair<string, object?>("operation", operation),
        new KeyValuePair<string, object?>("http.response.status_code", status));

    // "POST sandboxes/{id}/pause": the route without ids, so spans and metrics group by what was done.
    private static string Operation(HttpMethod method, string path)
    {
        var route = path.Split('?')[0].Trim('/').Split('/');
        for (var i = 0; i < route.Length; i++)
        {
            if (i > 0 && route[i - 1] is "sandboxes" or "templates" or "aliases" && route[i].Length > 0)
            {
                route[i] = "{id}";
            }
        }

        return $"{method.Method} {string.Join('/', route)}";
    }

    [LoggerMessage(1, LogLevel.Debug, "{Method} {Path} answered {Status} in {Milliseconds:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, double milliseconds);

    [LoggerMessage(2, LogLevel.Warning, "{Method} {Path} failed, try {Attempt} of 3 again in {DelayMilliseconds} ms: {Error}")]
    private static partial void LogRetry(ILogger logger, string method, string path, int attempt, double delayMilliseconds, string error);

    [LoggerMessage(3, LogLevel.Debug, "{Method} {Path} failed: {Error}")]
    private static partial void LogFailed(ILogger logger, string method, string path, string error);
}
