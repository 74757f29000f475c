using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// The few requests the CLI makes itself because Paddock.Client has no API for them yet: listing killed
/// sandboxes (<see cref="SandboxState"/> has no killed state), a sandbox's envd access token without
/// connecting to it (connecting resumes and extends), and a command's stdin as bytes with an end
/// (<see cref="Commands.SendStdinAsync"/> takes text and there is no way to close stdin). Each of these
/// should move to the SDK; the connection is resolved from the same options and variables as the SDK's.
/// </summary>
internal sealed class RestApi : IDisposable
{
    private const int EnvdPort = 49983;
    private readonly HttpClient _http;
    private readonly Uri _api;
    private readonly Uri? _sandboxes;
    private readonly string _domain;

    public RestApi(ConnectionOptions options)
    {
        _domain = options.Domain ?? Variable("E2B_DOMAIN") ?? "e2b.app";
        _api = options.ApiUrl ?? UriOf("PADDOCK_API_URL") ?? UriOf("E2B_API_URL") ?? new Uri($"https://api.{_domain}/");
        var key = options.ApiKey ?? Variable("PADDOCK_API_KEY") ?? Variable("E2B_API_KEY")
            ?? throw new CliException(ExitCodes.Unauthenticated, "no API key: set PADDOCK_API_KEY (or E2B_API_KEY), or pass --api-key");
        _sandboxes = options.SandboxUrl ?? UriOf("E2B_SANDBOX_URL")
            ?? (options.ApiUrl is not null || Variable("PADDOCK_API_URL") is not null ? _api : null);
        _http = new HttpClient { Timeout = options.RequestTimeout };
        _http.DefaultRequestHeaders.Add("X-API-Key", key);
    }

    /// <summary><c>GET /sandboxes/{id}</c>: the sandbox's details, its <c>envdAccessToken</c> included.</summary>
    public async Task<JsonNode> GetSandboxAsync(string sandboxId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_api, $"sandboxes/{Uri.EscapeDataString(sandboxId)}"));
        return await SendAsync(request, cancellationToken);
    }

    /// <summary><c>GET /v2/sandboxes</c> in the given states (killed ones included), page after page.</summary>
    public async IAsyncEnumerable<JsonNode> ListAsync(
        IEnumerable<string> states, IReadOnlyDictionary<string, string>? metadata, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var query = new StringBuilder($"v2/sandboxes?limit=100&state={Uri.EscapeDataString(string.Join(',', states))}");
        if (metadata is { Count: > 0 })
        {
            // E2B's encoding: each key and value, then the joined pairs, as one query value.
            var pairs = string.Join('&', metadata.Select(p => $"{Uri.EscapeDataString(p.Key)}={Uri.EscapeDataString(p.Value)}"));
            query.Append("&metadata=").Append(Uri.EscapeDataString(pairs));
        }

        string? next = null;
        do
        {
            var path = next is null ? query.ToString() : $"{query}&nextToken={Uri.EscapeDataString(next)}";
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_api, path));
            using var response = await _http.SendAsync(request, cancellationToken);
            var page = await ReadAsync(response, cancellationToken);
            foreach (var sandbox in page as JsonArray ?? [])
            {
                yield return sandbox!;
            }

            next = response.Headers.TryGetValues("X-Next-Token", out var values) ? values.FirstOrDefault() : null;
        }
        while (!string.IsNullOrEmpty(next));
    }

    /// <summary>envd's <c>SendInput</c>: bytes to a command's stdin.</summary>
    public Task SendStdinAsync(string sandboxId, string? accessToken, int pid, ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        EnvdAsync(sandboxId, accessToken, "SendInput", new JsonObject
        {
            ["process"] = new JsonObject { ["pid"] = pid },
            ["input"] = new JsonObject { ["stdin"] = Convert.ToBase64String(data.Span) },
        }, cancellationToken);

    /// <summary>envd's <c>CloseStdin</c>: the command reads end of file.</summary>
    public Task CloseStdinAsync(string sandboxId, string? accessToken, int pid, CancellationToken cancellationToken) =>
        EnvdAsync(sandboxId, accessToken, "CloseStdin", new JsonObject { ["process"] = new JsonObject { ["pid"] = pid } }, cancellationToken);

    public void Dispose() => _http.Dispose();

    // A unary Connect call of envd's process service, routed as the SDK routes it.
    private async Task EnvdAsync(string sandboxId, string? accessToken, string method, JsonObject message, CancellationToken cancellationToken)
    {
        var host = _sandboxes ?? new Uri($"https://{EnvdPort}-{sandboxId}.{_domain}/");
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(host, $"process.Process/{method}"))
        {
            Content = new StringContent(message.ToJsonString(), Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Add("E2b-Sandbox-Id", sandboxId);
        request.Headers.Add("E2b-Sandbox-Port", EnvdPort.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add("Connect-Protocol-Version", "1");
        if (accessToken is not null)
        {
            request.Headers.Add("X-Access-Token", accessToken);
        }

        await SendAsync(request, cancellationToken);
    }

    private async Task<JsonNode> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var response = await _http.SendAsync(request, cancellationToken);
        return await ReadAsync(response, cancellationToken);
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        JsonNode? json = null;
        if (text.StartsWith('{') || text.StartsWith('['))
        {
            json = JsonNode.Parse(text);
        }

        if (response.IsSuccessStatusCode)
        {
            return json ?? new JsonObject();
        }

        var message = (json as JsonObject)?["message"]?.GetValue<string>() is { Length: > 0 } said ? said : $"{(int)response.StatusCode} {response.ReasonPhrase}";
        throw new CliException(response.StatusCode switch
        {
            HttpStatusCode.NotFound => ExitCodes.NotFound,
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => ExitCodes.Unauthenticated,
            HttpStatusCode.BadRequest => ExitCodes.InvalidArgument,
            HttpStatusCode.BadGateway => ExitCodes.Timeout,
            _ => ExitCodes.Failure,
        }, message);
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static Uri? UriOf(string variable) => Variable(variable) is { } value ? ApiUrl.Parse(value) ?? throw new CliException(
        ExitCodes.InvalidArgument, $"{variable} must be an http(s) URL such as http://127.0.0.1:3000, not '{value}'") : null;
}
