using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Tests;

/// <summary>process.Process over the Connect protocol, byte for byte as E2B's SDKs send it.</summary>
public class ProcessServiceTests
{
    private static readonly string s_root = Convert.ToBase64String("root:"u8.ToArray());

    private static HttpRequestMessage Streaming(string method, object body, int? timeoutMs = null, int? keepaliveSeconds = null)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(body);
        var envelope = new byte[5 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(1), json.Length);
        json.CopyTo(envelope, 5);
        var request = new HttpRequestMessage(HttpMethod.Post, $"/process.Process/{method}") { Content = new ByteArrayContent(envelope) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/connect+json");
        request.Headers.Add("Connect-Protocol-Version", "1");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", s_root);
        if (timeoutMs is not null)
        {
            request.Headers.Add("Connect-Timeout-Ms", timeoutMs.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (keepaliveSeconds is not null)
        {
            request.Headers.Add("Keepalive-Ping-Interval", keepaliveSeconds.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        return request;
    }

    private static async Task<List<(byte Flags, JsonObject Message)>> ReadEnvelopesAsync(HttpResponseMessage response)
    {
        var frames = new List<(byte, JsonObject)>();
        await foreach (var frame in EnvelopesAsync(response))
        {
            frames.Add(frame);
        }

        return frames;
    }

    // The envelopes of a streaming response as they arrive, for tests that act on what they have seen so far.
    private static async IAsyncEnumerable<(byte Flags, JsonObject Message)> EnvelopesAsync(
        HttpResponseMessage response, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/connect+json", response.Content.Headers.ContentType?.MediaType);
        var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var header = new byte[5];
        while (await stream.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false, cancellationToken) == 5)
        {
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
            await stream.ReadExactlyAsync(body, cancellationToken);
            yield return (header[0], (JsonObject)JsonNode.Parse(body)!);
        }
    }

    private static async Task<JsonObject> UnaryAsync(AgentProcess agent, string method, object body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/process.Process/{method}") { Content = JsonContent(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", s_root);
        using var response = await agent.Http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    private static StringContent JsonContent(object body) => new(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json");

    [Fact]
    public async Task Start_StreamsStartFirst_OutputInOrder_EndLast()
    {
        await using var agent = await AgentProcess.StartAsync("""{"envVars":{"GLOBAL":"g"}}""");
        using var response = await agent.Http.SendAsync(Streaming("Start", new
        {
            process = new { cmd = "/bin/sh", args = new[] { "-c", "echo out-$GLOBAL-$LOCAL; echo err >&2; exit 4" }, envs = new { LOCAL = "l" }, cwd = "/tmp" },
        }), HttpCompletionOption.ResponseHeadersRead);
        var frames = await ReadEnvelopesAsync(response);

        Assert.True(frames[0].Message["event"]!["start"]!["pid"]!.GetValue<int>() > 0);
        var output = string.Concat(frames.Where(f => f.Message["event"]?["data"]?["stdout"] is not null)
            .Select(f => Encoding.UTF8.GetString(Convert.FromBase64String(f.Message["event"]!["data"]!["stdout"]!.GetValue<string>()))));
        Assert.Equal("out-g-l\n", output);
        Assert.Contains(frames, f => f.Message["event"]?["data"]?["stderr"] is not null);

        var end = frames[^2].Message["event"]!["end"]!;
        Assert.Equal(4, end["exitCode"]!.GetValue<int>());
        Assert.True(end["exited"]!.GetValue<bool>());
        Assert.Equal("exit status 4", end["status"]!.GetValue<string>());
        Assert.Equal(2, frames[^1].Flags);
        Assert.Equal("{}", frames[^1].Message.ToJsonString());
    }

    [Fact]
    public async Task Start_DeadlinePassing_KillsTheProcess_AndEndsWithDeadlineExceeded()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var response = await agent.Http.SendAsync(Streaming("Start", new { process = new { cmd = "/bin/sleep", args = new[] { "30" } } }, timeoutMs: 500), HttpCompletionOption.ResponseHeadersRead);
        var frames = await ReadEnvelopesAsync(response);
        Assert.Equal(2, frames[^1].Flags);
        Assert.Equal("deadline_exceeded", frames[^1].Message["error"]!["code"]!.GetValue<string>());

        // Killed and reaped before the caller hears of the deadline: nothing left to list.
        Assert.Empty((await UnaryAsync(agent, "List", new { }))["processes"]!.AsArray());
    }

    [Fact]
    public async Task QuietProcess_GetsKeepalives()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var response = await agent.Http.SendAsync(Streaming("Start", new { process = new { cmd = "/bin/sleep", args = new[] { "2.5" } } }, keepaliveSeconds: 1), HttpCompletionOption.ResponseHeadersRead);
        var frames = await ReadEnvelopesAsync(response);
        Assert.InRange(frames.Count(f => f.Message["event"]?["keepalive"] is not null), 1, 3);
        Assert.NotNull(frames[^2].Message["event"]!["end"]);
    }

    [Fact]
    public async Task Connect_ByTag_FromAnotherClient_SeesLiveOutput_AndSignalEndsIt()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var starter = await agent.Http.SendAsync(
            Streaming("Start", new { process = new { cmd = "/bin/sh", args = new[] { "-c", "while :; do echo tick; sleep 0.1; done" } }, tag = "ticker" }),
            HttpCompletionOption.ResponseHeadersRead);
        await WaitForProcessAsync(agent);

        var listed = (await UnaryAsync(agent, "List", new { }))["processes"]!.AsArray().Single()!;
        Assert.Equal("ticker", listed["tag"]!.GetValue<string>());
        var pid = listed["pid"]!.GetValue<int>();

        using var watcher = await agent.Http.SendAsync(Streaming("Connect", new { process = new { tag = "ticker" } }), HttpCompletionOption.ResponseHeadersRead);
        // Killed once the watcher has seen output: then it is attached, whatever the timing.
        var frames = new List<(byte Flags, JsonObject Message)>();
        try
        {
            await foreach (var frame in EnvelopesAsync(watcher))
            {
                frames.Add(frame);
                if (frame.Message["event"]?["data"]?["stdout"] is not null && frames.Count(f => f.Message["event"]?["data"] is not null) == 1)
                {
                    await UnaryAsync(agent, "SendSignal", new { process = new { pid }, signal = "SIGNAL_SIGKILL" });
                }
            }
        }
        catch (HttpRequestException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}; agent stderr: {agent.StandardErrorText}");
        }

        Assert.True(frames.Count > 2, $"frames: {string.Join(" | ", frames.Select(f => f.Message.ToJsonString()))}; agent stderr: {agent.StandardErrorText}");
        Assert.Equal(pid, frames[0].Message["event"]!["start"]!["pid"]!.GetValue<int>());
        Assert.Contains(frames, f => f.Message["event"]?["data"]?["stdout"] is not null);
        var end = frames[^2].Message["event"]!["end"]!;
        Assert.Equal(-1, end["exitCode"]!.GetValue<int>());
        Assert.Equal("signal: killed", end["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task SendSignal_Kill_AnswersOnceTheProcessIsGone()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var response = await agent.Http.SendAsync(Streaming("Start", new { process = new { cmd = "/bin/sh", args = new[] { "-c", "sleep 30 & sleep 31" } }, tag = "sleeper" }), HttpCompletionOption.ResponseHeadersRead);
        await WaitForProcessAsync(agent);
        for (var i = 0; i < 20; i++)
        {
            await UnaryAsync(agent, "SendSignal", new { process = new { tag = "sleeper" }, signal = "SIGNAL_SIGKILL" });
            Assert.Empty((await UnaryAsync(agent, "List", new { }))["processes"]!.AsArray());
            if (i < 19)
            {
                using var next = await agent.Http.SendAsync(Streaming("Start", new { process = new { cmd = "/bin/sh", args = new[] { "-c", "sleep 30 & sleep 31" } }, tag = "sleeper" }), HttpCompletionOption.ResponseHeadersRead);
                await WaitForProcessAsync(agent);
            }
        }
    }

    [Fact]
    public async Task SendInput_ReachesStdin()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var response = await agent.Http.SendAsync(Streaming("Start", new { process = new { cmd = "/bin/cat" }, tag = "cat" }), HttpCompletionOption.ResponseHeadersRead);
        await WaitForProcessAsync(agent);
        await UnaryAsync(agent, "SendInput", new { process = new { tag = "cat" }, input = new { stdin = Convert.ToBase64String("ping\n"u8.ToArray()) } });
        await UnaryAsync(agent, "CloseStdin", new { process = new { tag = "cat" } });
        var frames = await ReadEnvelopesAsync(response);
        Assert.Equal("cGluZwo=", frames.Select(f => f.Message["event"]?["data"]?["stdout"]?.GetValue<string>()).First(s => s is not null));
    }

    [Fact]
    public async Task Errors_UseConnectCodes()
    {
        await using var agent = await AgentProcess.StartAsync();
        var missing = await UnaryAsync(agent, "SendSignal", new { process = new { pid = 999999 }, signal = "SIGNAL_SIGKILL" }, HttpStatusCode.NotFound);
        Assert.Equal("not_found", missing["code"]!.GetValue<string>());

        var invalid = await UnaryAsync(agent, "SendInput", new { }, HttpStatusCode.BadRequest);
        Assert.Equal("invalid_argument", invalid["code"]!.GetValue<string>());

        using var stranger = Streaming("Start", new { process = new { cmd = "/bin/true" } });
        stranger.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("nobody-here:"u8.ToArray()));
        var frames = await ReadEnvelopesAsync(await agent.Http.SendAsync(stranger));
        Assert.Equal("unauthenticated", frames[^1].Message["error"]!["code"]!.GetValue<string>());

        var badCwd = await ReadEnvelopesAsync(await agent.Http.SendAsync(Streaming("Start", new { process = new { cmd = "/bin/true", cwd = "/no/such/dir" } })));
        Assert.Equal("invalid_argument", badCwd[^1].Message["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task Pty_IsTheControllingTerminal_TakesInput_AndResizes()
    {
        await using var agent = await AgentProcess.StartAsync();
        using var response = await agent.Http.SendAsync(
            Streaming("Start", new { process = new { cmd = "/bin/bash", args = new[] { "--norc", "-i" }, envs = new { PS1 = "$ " } }, pty = new { size = new { cols = 100, rows = 30 } }, tag = "shell" }),
            HttpCompletionOption.ResponseHeadersRead);
        await WaitForProcessAsync(agent);
        await UnaryAsync(agent, "SendInput", new { process = new { tag = "shell" }, input = new { pty = Base64("stty size; tty; echo term=$TERM\n") } });

        var events = new List<JsonNode>();
        var output = new StringBuilder();
        var resized = false;
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var (_, message) in EnvelopesAsync(response).WithCancellation(deadline.Token))
        {
            if (message["event"] is not { } e)
            {
                continue;
            }

            events.Add(e);
            if (e["data"]?["pty"]?.GetValue<string>() is { } chunk)
            {
                output.Append(Encoding.UTF8.GetString(Convert.FromBase64String(chunk)));
            }

            // Resize only once the first `stty size` has answered, so it cannot see the new size.
            if (!resized && output.ToString().Contains("term=xterm-256color", StringComparison.Ordinal))
            {
                resized = true;
                await UnaryAsync(agent, "Update", new { process = new { tag = "shell" }, pty = new { size = new { cols = 120, rows = 40 } } });

                // A PTY has no stdin to close; asked while the shell surely runs (after `exit` it may be gone).
                var closeStdin = await UnaryAsync(agent, "CloseStdin", new { process = new { tag = "shell" } }, HttpStatusCode.BadRequest);
                Assert.Equal("failed_precondition", closeStdin["code"]!.GetValue<string>());
                await UnaryAsync(agent, "SendInput", new { process = new { tag = "shell" }, input = new { pty = Base64("stty size; exit 3\n") } });
            }
        }

        Assert.True(resized, $"no prompt answer in: {output}");
        Assert.DoesNotContain(events, e => e["data"]?["stdout"] is not null);
        var text = output.ToString();
        Assert.Contains("30 100", text, StringComparison.Ordinal);
        Assert.Contains("/dev/pts/", text, StringComparison.Ordinal);
        // The whole output when it fails (Assert.Contains shows only its start): once, on a loaded host, it was not there.
        Assert.True(text.Contains("40 120", StringComparison.Ordinal), $"no resized size in: {text}");
        Assert.Equal(3, events[^1]["end"]!["exitCode"]!.GetValue<int>());
    }

    // The response headers can come before the process is registered: wait for it as the SDK waits for `start`.
    private static async Task WaitForProcessAsync(AgentProcess agent)
    {
        for (var i = 0; i < 100 && (await UnaryAsync(agent, "List", new { }))["processes"]!.AsArray().Count == 0; i++)
        {
            await Task.Delay(20);
        }
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
