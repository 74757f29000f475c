using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// The REST API (E2B's control plane): requests with the API key, and the E2B error body mapped to
/// the SDK's exceptions. One <see cref="HttpClient"/> per connection configuration, shared.
/// </summary>
internal sealed class ControlPlane
{
    private static readonly Dictionary<ResolvedConnection, HttpClient> s_clients = [];
    private static readonly Lock s_gate = new();

    private ControlPlane(ResolvedConnection connection, HttpClient http)
    {
        Connection = connection;
        Http = http;
    }

    public ResolvedConnection Connection { get; }

    /// <summary>The shared client of this configuration (HTTP/1.1, or HTTP/2 where the server offers it).</summary>
    public HttpClient Http { get; }

    public static ControlPlane For(ConnectionOptions? options)
    {
        var connection = (options ?? ConnectionOptions.FromEnvironment()).Resolve();
        lock (s_gate)
        {
            if (!s_clients.TryGetValue(connection, out var http))
            {
                http = new HttpClient(new SocketsHttpHandler { PooledConnectionIdleTimeout = TimeSpan.FromSeconds(60), EnableMultipleHttp2Connections = true })
                {
                    Timeout = Timeout.InfiniteTimeSpan,
                    DefaultRequestVersion = HttpVersion.Version11,
                    DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrHigher,
                };
                s_clients[connection] = http;
            }

            return new ControlPlane(connection, http);
        }
    }

    public async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseHeaders Headers)> SendAsync(
        HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, params HttpStatusCode[] accepted)
    {
        using var request = new HttpRequestMessage(method, new Uri(Connection.ApiUrl, path.TrimStart('/')));
        request.Headers.Add("X-API-Key", Connection.ApiKey);
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

            throw Error(response.StatusCode, json?["message"]?.GetValue<string>() ?? text);
        }
    }

    /// <summary>E2B's mapping of API statuses to errors.</summary>
    public static SandboxException Error(HttpStatusCode status, string message) => status switch
    {
        HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new SandboxAuthenticationException(message) { StatusCode = (int)status },
        HttpStatusCode.NotFound => new SandboxNotFoundException(message) { StatusCode = 404 },
        HttpStatusCode.BadRequest => new InvalidArgumentException(message) { StatusCode = 400 },
        HttpStatusCode.TooManyRequests => new RateLimitException(message) { StatusCode = 429 },
        HttpStatusCode.InsufficientStorage => new NotEnoughSpaceException(message) { StatusCode = 507 },
        _ => new SandboxException($"{((int)status).ToString(CultureInfo.InvariantCulture)}: {message}") { StatusCode = (int)status },
    };
}
