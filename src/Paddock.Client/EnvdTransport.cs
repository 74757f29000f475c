using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// Requests to a sandbox's ports: the in-sandbox daemon's Connect RPCs (JSON, unary and server
/// streaming) and plain HTTP, with the routing headers, the access token and the user.
/// </summary>
internal sealed class EnvdTransport(ControlPlane api, string sandboxId, string? accessToken, string? trafficAccessToken = null)
{
    // How long past a stream's deadline the SDK waits for the daemon's own deadline_exceeded before giving up.
    private static readonly TimeSpan s_deadlineGrace = TimeSpan.FromSeconds(2);

    public const int EnvdPort = 49983;
    public const int CodeInterpreterPort = 49999;
    public const string TrafficAccessTokenHeader = "e2b-traffic-access-token";

    public HttpRequestMessage Request(HttpMethod method, int port, string pathAndQuery, string? user = null)
    {
        var request = new HttpRequestMessage(method, new Uri(api.Connection.SandboxBase(sandboxId, port), pathAndQuery.TrimStart('/')));
        request.Headers.UserAgent.Add(ControlPlane.UserAgent);
        request.Headers.Add("E2b-Sandbox-Id", sandboxId);
        request.Headers.Add("E2b-Sandbox-Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (accessToken is not null)
        {
            request.Headers.Add("X-Access-Token", accessToken);
        }

        // A sandbox with private ports asks every port but envd's for its traffic token (the code interpreter's too).
        if (trafficAccessToken is not null && port != EnvdPort)
        {
            request.Headers.Add(TrafficAccessTokenHeader, trafficAccessToken);
        }

        if (user is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":")));
        }

        return request;
    }

    /// <summary>
    /// Sends a request to the sandbox. A sandbox that no longer runs (the proxy's 502) is explained by the API: paused,
    /// killed and why, or timed out; a server that cannot be reached is a <see cref="SandboxConnectionException"/>.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        HttpResponseMessage response;
        try
        {
            response = await api.Http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            var unreachable = new SandboxConnectionException($"cannot reach sandbox {sandboxId} at {request.RequestUri?.GetLeftPart(UriPartial.Authority)}: {ex.Message}", ex);
            if (ex.InnerException is not IOException)
            {
                throw unreachable;
            }

            // A connection the server dropped (kept alive from a stream it ended when the sandbox stopped): the API
            // says whether the sandbox was paused or ended meanwhile; if not, the server is what could not be reached.
            var explained = await NotRunningAsync($"on {request.Method} {request.RequestUri?.AbsolutePath}", ex, cancellationToken).ConfigureAwait(false);
            throw explained is SandboxPausedException or SandboxNotFoundException or SandboxTimeoutException ? explained : unreachable;
        }

        if (response.StatusCode == HttpStatusCode.BadGateway)
        {
            response.Dispose();
            throw await NotRunningAsync($"on {request.Method} {request.RequestUri?.AbsolutePath}", null, cancellationToken).ConfigureAwait(false);
        }

        return response;
    }

    /// <summary>What to throw when the sandbox's traffic failed because it may no longer run.</summary>
    public Task<Exception> NotRunningAsync(string during, Exception? inner, CancellationToken cancellationToken) =>
        SandboxStopped.ExplainAsync(api, sandboxId, during, inner, cancellationToken);

    /// <summary>A unary Connect call; Connect errors become the SDK's exceptions.</summary>
    public async Task<JsonNode> UnaryAsync(string service, string method, JsonObject message, string? user, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, EnvdPort, $"{service}/{method}", user);
        request.Content = new StringContent(message.ToJsonString(), Encoding.UTF8, "application/json");
        request.Headers.Add("Connect-Protocol-Version", "1");
        using var response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var json = text.Length > 0 ? JsonNode.Parse(text) : new JsonObject();
        if (!response.IsSuccessStatusCode)
        {
            throw ConnectError(json?["code"]?.GetValue<string>() ?? "unknown", json?["message"]?.GetValue<string>() ?? text);
        }

        return json ?? new JsonObject();
    }

    /// <summary>
    /// A server-streaming Connect call: the messages as they come, until end of stream. A stream the sandbox ends
    /// with <c>unavailable</c> (it was paused, killed or timed out) or that breaks off is explained by the API
    /// (<see cref="SandboxStopped"/>). With a <paramref name="deadline"/>, the sandbox's daemon ends the stream with
    /// <c>deadline_exceeded</c> at the deadline; should that word never come (a network cut), the SDK gives up a
    /// moment later by itself.
    /// </summary>
    public async IAsyncEnumerable<JsonObject> StreamAsync(
        string service, string method, JsonObject message, string? user, TimeSpan? deadline, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var json = Encoding.UTF8.GetBytes(message.ToJsonString());
        var envelope = new byte[5 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(1), json.Length);
        json.CopyTo(envelope, 5);
        using var request = Request(HttpMethod.Post, EnvdPort, $"{service}/{method}", user);
        request.Content = new ByteArrayContent(envelope);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+json");
        request.Headers.Add("Connect-Protocol-Version", "1");
        request.Headers.Add("Keepalive-Ping-Interval", "50");
        using var giveUp = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (deadline is { } d)
        {
            request.Headers.Add("Connect-Timeout-Ms", ((long)d.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture));
            giveUp.CancelAfter(d + s_deadlineGrace);
        }

        var during = $"during {service}/{method}";
        using var response = await SendAsync(request, giveUp.Token, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            var error = text.Length > 0 && text[0] == '{' ? JsonNode.Parse(text) : null;
            throw ConnectError(error?["code"]?.GetValue<string>() ?? "unknown", error?["message"]?.GetValue<string>() ?? text);
        }

        await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var header = new byte[5];
        while (true)
        {
            JsonObject node;
            bool ended;
            try
            {
                if (await body.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false, giveUp.Token).ConfigureAwait(false) < 5)
                {
                    yield break;
                }

                var frame = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
                await body.ReadExactlyAsync(frame, giveUp.Token).ConfigureAwait(false);
                node = JsonNode.Parse(frame) as JsonObject ?? [];
                ended = (header[0] & 2) != 0;
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                throw await NotRunningAsync(during, ex, CancellationToken.None).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new SandboxTimeoutException($"sandbox {sandboxId} did not end {service}/{method} at its {deadline?.TotalSeconds:0} s deadline; gave up waiting", ex) { Code = "deadline_exceeded" };
            }

            if (ended)
            {
                if (node["error"] is JsonObject error)
                {
                    var code = error["code"]?.GetValue<string>() ?? "unknown";
                    var text = error["message"]?.GetValue<string>() ?? string.Empty;
                    throw code == "unavailable"
                        ? await NotRunningAsync(during, new SandboxException(text) { Code = code }, CancellationToken.None).ConfigureAwait(false)
                        : ConnectError(code, text);
                }

                yield break;
            }

            yield return node;
        }
    }

    private static Exception ConnectError(string code, string message) => code switch
    {
        "not_found" => new SandboxFileNotFoundException(message) { StatusCode = 404, Code = code },
        "invalid_argument" or "failed_precondition" or "already_exists" => new InvalidArgumentException(message) { StatusCode = 400, Code = code },
        "unauthenticated" or "permission_denied" => new SandboxAuthenticationException(message) { StatusCode = 401, Code = code },
        "deadline_exceeded" => new SandboxTimeoutException(message) { StatusCode = 504, Code = code },
        "resource_exhausted" => new NotEnoughSpaceException(message) { Code = code },
        _ => new SandboxException($"{code}: {message}") { Code = code },
    };
}
