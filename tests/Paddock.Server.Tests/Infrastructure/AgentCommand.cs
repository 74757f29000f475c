using System.Buffers.Binary;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Infrastructure;

/// <summary>
/// Runs a command in a sandbox the way E2B's SDKs do: <c>process.Process/Start</c> over the Connect protocol,
/// through the server's proxy and the sandbox's agent. Unlike <see cref="SandboxShell"/> (crun exec, beside
/// the agent), what runs here is started by the agent, as every user's code is.
/// </summary>
internal static class AgentCommand
{
    /// <summary>The end of a command: its exit code (null if the stream ended without one) and its output.</summary>
    public sealed record Result(int? ExitCode, string Output, string? Error);

    public static async Task<Result> RunAsync(Uri server, string sandboxId, string? token, string command, string user = "user", TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = server, Timeout = (timeout ?? TimeSpan.FromSeconds(60)) + TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/process.Process/Start");
        request.Headers.Add("E2b-Sandbox-Id", sandboxId);
        request.Headers.Add("E2b-Sandbox-Port", "49983");
        request.Headers.Add("Connect-Protocol-Version", "1");
        request.Headers.Add("Connect-Timeout-Ms", ((int)(timeout ?? TimeSpan.FromSeconds(60)).TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":")));
        if (token is not null)
        {
            request.Headers.Add("X-Access-Token", token);
        }

        var body = new JsonObject { ["process"] = new JsonObject { ["cmd"] = "/bin/bash", ["args"] = new JsonArray("-l", "-c", command) } };
        var json = Encoding.UTF8.GetBytes(body.ToJsonString());
        var envelope = new byte[5 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(1), json.Length);
        json.CopyTo(envelope, 5);
        request.Content = new ByteArrayContent(envelope);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+json");

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode)
        {
            return new Result(null, string.Empty, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        await using var stream = await response.Content.ReadAsStreamAsync();
        var output = new StringBuilder();
        int? exitCode = null;
        string? error = null;
        var header = new byte[5];
        while (await ReadExactlyOrEndAsync(stream, header))
        {
            var payload = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
            await stream.ReadExactlyAsync(payload);
            using var message = JsonDocument.Parse(payload);
            if ((header[0] & 0x02) != 0)
            {
                if (message.RootElement.TryGetProperty("error", out var streamError))
                {
                    error = streamError.GetRawText();
                }

                break;
            }

            var e = message.RootElement.GetProperty("event");
            if (e.TryGetProperty("data", out var data))
            {
                foreach (var part in data.EnumerateObject())
                {
                    if (output.Length < 1024 * 1024)
                    {
                        output.Append(Encoding.UTF8.GetString(Convert.FromBase64String(part.Value.GetString()!)));
                    }
                }
            }
            else if (e.TryGetProperty("end", out var end))
            {
                exitCode = end.TryGetProperty("exitCode", out var code) ? code.GetInt32() : 0;
            }
        }

        return new Result(exitCode, output.ToString(), error);
    }

    private static async Task<bool> ReadExactlyOrEndAsync(Stream stream, byte[] buffer)
    {
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false);
        return read == buffer.Length;
    }
}
