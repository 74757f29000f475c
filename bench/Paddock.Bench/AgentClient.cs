using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Paddock.Bench;

/// <summary>
/// envd calls as E2B's SDKs make them, either through the API port (the proxy) or straight to the
/// agent's channel socket on the host (the primitive underneath the proxy).
/// </summary>
internal sealed class AgentClient : IDisposable
{
    private readonly HttpClient _http;

    private AgentClient(HttpClient http) => _http = http;

    public static AgentClient ThroughApi(Uri apiAddress, string sandboxId, string accessToken)
    {
        var http = new HttpClient { BaseAddress = apiAddress };
        http.DefaultRequestHeaders.Add("E2b-Sandbox-Id", sandboxId);
        http.DefaultRequestHeaders.Add("E2b-Sandbox-Port", "49983");
        http.DefaultRequestHeaders.Add("X-Access-Token", accessToken);
        return new AgentClient(http);
    }

    public static AgentClient OverChannel(string agentSocket, string accessToken)
    {
        var http = new HttpClient(new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(agentSocket), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            },
        })
        { BaseAddress = new Uri("http://agent") };
        http.DefaultRequestHeaders.Add("X-Access-Token", accessToken);
        return new AgentClient(http);
    }

    /// <summary>process.Process/Start, read to the end of the stream; returns the process's stdout.</summary>
    public async Task<string> RunAsync(string cmd, params string[] args)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(new { process = new { cmd, args, envs = new Dictionary<string, string>() }, stdin = false });
        var envelope = new byte[5 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(1), json.Length);
        json.CopyTo(envelope, 5);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/process.Process/Start") { Content = new ByteArrayContent(envelope) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+json");
        request.Headers.Add("Connect-Protocol-Version", "1");
        request.Headers.Add("Connect-Timeout-Ms", "60000");
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var stdout = new StringBuilder();
        var header = new byte[5];
        while (await body.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false) == 5)
        {
            var message = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
            await body.ReadExactlyAsync(message);
            using var frame = JsonDocument.Parse(message);
            if (frame.RootElement.TryGetProperty("event", out var e) && e.TryGetProperty("data", out var data) && data.TryGetProperty("stdout", out var output))
            {
                stdout.Append(Encoding.UTF8.GetString(output.GetBytesFromBase64()));
            }
        }

        return stdout.ToString();
    }

    public async Task WriteFileAsync(string path, byte[] content)
    {
        using var body = new ByteArrayContent(content);
        body.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var response = await _http.PostAsync($"/files?path={Uri.EscapeDataString(path)}", body);
        response.EnsureSuccessStatusCode();
    }

    public async Task<long> ReadFileAsync(string path)
    {
        using var response = await _http.GetAsync($"/files?path={Uri.EscapeDataString(path)}", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[81920];
        long total = 0;
        int read;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    public void Dispose() => _http.Dispose();
}
