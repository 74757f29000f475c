using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Tests;

/// <summary>filesystem.Filesystem's watch calls: the WatchDir stream and the polling watcher.</summary>
public sealed class WatchDirTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("paddock-watch-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static HttpRequestMessage Authorized(HttpRequestMessage request)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("root:"u8.ToArray()));
        return request;
    }

    [Fact]
    public async Task WatchDir_StreamsStartThenRelativeEvents_UntilTheDeadline()
    {
        await using var agent = await AgentProcess.StartAsync();
        Directory.CreateDirectory(Path.Combine(_root, "sub"));
        var json = JsonSerializer.SerializeToUtf8Bytes(new { path = _root, recursive = true, includeEntry = true });
        var envelope = new byte[5 + json.Length];
        BinaryPrimitives.WriteInt32BigEndian(envelope.AsSpan(1), json.Length);
        json.CopyTo(envelope, 5);
        using var request = Authorized(new HttpRequestMessage(HttpMethod.Post, "/filesystem.Filesystem/WatchDir") { Content = new ByteArrayContent(envelope) });
        request.Content!.Headers.ContentType = new MediaTypeHeaderValue("application/connect+json");
        request.Headers.Add("Connect-Timeout-Ms", "1500");

        using var response = await agent.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var stream = await response.Content.ReadAsStreamAsync();
        var header = new byte[5];
        await stream.ReadExactlyAsync(header);
        var first = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
        await stream.ReadExactlyAsync(first);
        Assert.Equal("""{"start":{}}""", Encoding.UTF8.GetString(first));

        await File.WriteAllTextAsync(Path.Combine(_root, "sub", "new.txt"), "x");
        var frames = new List<(byte, JsonObject)>();
        while (await stream.ReadAtLeastAsync(header, 5, throwOnEndOfStream: false) == 5)
        {
            var body = new byte[BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(1))];
            await stream.ReadExactlyAsync(body);
            frames.Add((header[0], (JsonObject)JsonNode.Parse(body)!));
        }

        var created = frames.Select(f => f.Item2["filesystem"]).First(e => e?["type"]?.GetValue<string>() == "EVENT_TYPE_CREATE")!;
        Assert.Equal(Path.Combine("sub", "new.txt"), created["name"]!.GetValue<string>());
        Assert.Equal("new.txt", created["entry"]!["name"]!.GetValue<string>());
        Assert.Equal("deadline_exceeded", frames[^1].Item2["error"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task PollingWatcher_CollectsEvents_AndIsRemoved()
    {
        await using var agent = await AgentProcess.StartAsync();
        async Task<JsonObject> Call(string method, object body)
        {
            using var request = Authorized(new HttpRequestMessage(HttpMethod.Post, $"/filesystem.Filesystem/{method}")
            {
                Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
            });
            using var response = await agent.Http.SendAsync(request);
            return (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        }

        var id = (await Call("CreateWatcher", new { path = _root }))["watcherId"]!.GetValue<string>();
        await File.WriteAllTextAsync(Path.Combine(_root, "a.txt"), "1");
        File.Delete(Path.Combine(_root, "a.txt"));
        // Each call drains what has come since the last: gather until the removal arrives.
        var types = new List<string>();
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !types.Contains("EVENT_TYPE_REMOVE") && DateTime.UtcNow < deadline; await Task.Delay(20))
        {
            types.AddRange((await Call("GetWatcherEvents", new { watcherId = id }))["events"]!.AsArray().Select(e => e!["type"]!.GetValue<string>()));
        }

        Assert.Contains("EVENT_TYPE_CREATE", types);
        Assert.Contains("EVENT_TYPE_REMOVE", types);

        await Call("RemoveWatcher", new { watcherId = id });
        Assert.Equal("not_found", (await Call("GetWatcherEvents", new { watcherId = id }))["code"]!.GetValue<string>());
        Assert.Equal("not_found", (await Call("CreateWatcher", new { path = Path.Combine(_root, "missing") }))["code"]!.GetValue<string>());
    }
}
