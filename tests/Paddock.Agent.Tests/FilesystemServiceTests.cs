using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Tests;

/// <summary>filesystem.Filesystem's unary calls, as the SDKs send them.</summary>
public sealed class FilesystemServiceTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("paddock-fs-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<(HttpStatusCode Status, JsonObject Body)> CallAsync(AgentProcess agent, string method, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/filesystem.Filesystem/{method}")
        {
            Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String("root:"u8.ToArray()));
        using var response = await agent.Http.SendAsync(request);
        return (response.StatusCode, (JsonObject)JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    [Fact]
    public async Task MakeDir_Stat_ListDir_Move_Remove()
    {
        await using var agent = await AgentProcess.StartAsync();
        var nested = Path.Combine(_root, "a", "b");

        var (status, made) = await CallAsync(agent, "MakeDir", new { path = nested });
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("FILE_TYPE_DIRECTORY", made["entry"]!["type"]!.GetValue<string>());
        Assert.Equal("already_exists", (await CallAsync(agent, "MakeDir", new { path = nested })).Body["code"]!.GetValue<string>());

        await File.WriteAllTextAsync(Path.Combine(nested, "f.txt"), "hello");
        File.SetUnixFileMode(Path.Combine(nested, "f.txt"), (UnixFileMode)420);
        File.CreateSymbolicLink(Path.Combine(_root, "link"), Path.Combine(nested, "f.txt"));

        var stat = (await CallAsync(agent, "Stat", new { path = Path.Combine(nested, "f.txt") })).Body["entry"]!;
        Assert.Equal("f.txt", stat["name"]!.GetValue<string>());
        Assert.Equal("FILE_TYPE_FILE", stat["type"]!.GetValue<string>());
        Assert.Equal("5", stat["size"]!.GetValue<string>());
        Assert.Equal(420, stat["mode"]!.GetValue<int>());
        Assert.Equal("-rw-r--r--", stat["permissions"]!.GetValue<string>());
        Assert.Equal("root", stat["owner"]!.GetValue<string>());

        var link = (await CallAsync(agent, "Stat", new { path = Path.Combine(_root, "link") })).Body["entry"]!;
        // As envd: the target's type and mode, the canonical target, the link's own permissions.
        Assert.Equal("FILE_TYPE_FILE", link["type"]!.GetValue<string>());
        Assert.Equal(Path.Combine(nested, "f.txt"), link["symlinkTarget"]!.GetValue<string>());
        Assert.Equal(420, link["mode"]!.GetValue<int>());
        Assert.Equal("Lrwxrwxrwx", link["permissions"]!.GetValue<string>());

        var one = (await CallAsync(agent, "ListDir", new { path = _root, depth = 1 })).Body["entries"]!.AsArray();
        Assert.Equal(["a", "link"], one.Select(e => e!["name"]!.GetValue<string>()).ToArray());
        var three = (await CallAsync(agent, "ListDir", new { path = _root, depth = 3 })).Body["entries"]!.AsArray();
        Assert.Equal(["a", "b", "f.txt", "link"], three.Select(e => e!["name"]!.GetValue<string>()).ToArray());

        var moved = (await CallAsync(agent, "Move", new { source = Path.Combine(nested, "f.txt"), destination = Path.Combine(_root, "c", "g.txt") })).Body;
        Assert.Equal("g.txt", moved["entry"]!["name"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(_root, "c", "g.txt")));

        Assert.Equal(HttpStatusCode.OK, (await CallAsync(agent, "Remove", new { path = Path.Combine(_root, "a") })).Status);
        Assert.False(Directory.Exists(Path.Combine(_root, "a")));
        Assert.Equal(HttpStatusCode.OK, (await CallAsync(agent, "Remove", new { path = Path.Combine(_root, "missing") })).Status);
    }

    [Fact]
    public async Task Errors_UseConnectCodes()
    {
        await using var agent = await AgentProcess.StartAsync();
        var (status, body) = await CallAsync(agent, "Stat", new { path = Path.Combine(_root, "nope") });
        Assert.Equal((HttpStatusCode.NotFound, "not_found"), (status, body["code"]!.GetValue<string>()));

        await File.WriteAllTextAsync(Path.Combine(_root, "file"), "x");
        Assert.Equal("invalid_argument", (await CallAsync(agent, "ListDir", new { path = Path.Combine(_root, "file") })).Body["code"]!.GetValue<string>());
        Assert.Equal("invalid_argument", (await CallAsync(agent, "MakeDir", new { path = Path.Combine(_root, "file") })).Body["code"]!.GetValue<string>());
        Assert.Equal("not_found", (await CallAsync(agent, "Move", new { source = Path.Combine(_root, "nope"), destination = Path.Combine(_root, "x") })).Body["code"]!.GetValue<string>());
        Assert.Equal("invalid_argument", (await CallAsync(agent, "Stat", new { })).Body["code"]!.GetValue<string>());
    }
}
