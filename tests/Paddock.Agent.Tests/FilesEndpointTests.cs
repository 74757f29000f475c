using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Paddock.Agent.Tests;

/// <summary>envd's /files: uploads, downloads, gzip, the access token and signed URLs.</summary>
public sealed class FilesEndpointTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("paddock-files-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    // The signature scheme of E2B's SDK, computed independently of the agent's code.
    // Escaped for a query string: base64 has '+' and '/'.
    private static string Sign(string path, string operation, string user, string token, long? expiration) =>
        Uri.EscapeDataString("v1_" + Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(
            $"{path}:{operation}:{user}:{token}" + (expiration is null ? string.Empty : $":{expiration}")))).TrimEnd('='));

    [Fact]
    public async Task OctetStream_And_Multipart_Uploads_ThenDownloads_WithGzip()
    {
        await using var agent = await AgentProcess.StartAsync();
        var raw = Path.Combine(_root, "x", "raw.txt");
        using (var upload = await agent.Http.PostAsync($"/files?path={Uri.EscapeDataString(raw)}&username=root", new ByteArrayContent("raw body"u8.ToArray())))
        {
            Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
            Assert.Contains("\"name\":\"raw.txt\"", await upload.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal("raw body", await File.ReadAllTextAsync(raw));
        Assert.Equal((UnixFileMode)420, File.GetUnixFileMode(raw));

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("first"u8.ToArray()), "file", Path.Combine(_root, "m1.txt") },
            { new ByteArrayContent("second"u8.ToArray()), "file", Path.Combine(_root, "m2.txt") },
        };
        using (var multi = await agent.Http.PostAsync("/files?username=root", form))
        {
            Assert.Equal(HttpStatusCode.OK, multi.StatusCode);
        }

        Assert.Equal("second", await File.ReadAllTextAsync(Path.Combine(_root, "m2.txt")));

        using var gzipped = new MemoryStream();
        await using (var gzip = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync("compressed upload"u8.ToArray());
        }

        var gzContent = new ByteArrayContent(gzipped.ToArray());
        gzContent.Headers.ContentEncoding.Add("gzip");
        var gzPath = Path.Combine(_root, "gz.txt");
        (await agent.Http.PostAsync($"/files?path={Uri.EscapeDataString(gzPath)}&username=root", gzContent)).EnsureSuccessStatusCode();
        Assert.Equal("compressed upload", await File.ReadAllTextAsync(gzPath));

        using var plain = await agent.Http.GetAsync($"/files?path={Uri.EscapeDataString(raw)}&username=root");
        Assert.Equal("raw body", await plain.Content.ReadAsStringAsync());
        Assert.Equal(8, plain.Content.Headers.ContentLength);

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/files?path={Uri.EscapeDataString(raw)}&username=root");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        using var compressed = await agent.Http.SendAsync(request);
        Assert.Equal("gzip", Assert.Single(compressed.Content.Headers.ContentEncoding));
        await using var unzip = new GZipStream(await compressed.Content.ReadAsStreamAsync(), CompressionMode.Decompress);
        Assert.Equal("raw body", await new StreamReader(unzip).ReadToEndAsync());
    }

    [Fact]
    public async Task Errors_NotFound_Directory_DuplicatePath()
    {
        await using var agent = await AgentProcess.StartAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await agent.Http.GetAsync($"/files?path={Uri.EscapeDataString(Path.Combine(_root, "nope"))}&username=root")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.Http.GetAsync($"/files?path={Uri.EscapeDataString(_root)}&username=root")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.Http.GetAsync($"/files?path=x&username=nobody-here")).StatusCode);

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("1"u8.ToArray()), "file", Path.Combine(_root, "same.txt") },
            { new ByteArrayContent("2"u8.ToArray()), "file", Path.Combine(_root, "same.txt") },
        };
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.Http.PostAsync("/files?username=root", form)).StatusCode);
    }

    [Fact]
    public async Task SecureSandbox_NeedsTheTokenOrAValidSignature()
    {
        await using var agent = await AgentProcess.StartAsync("""{"accessToken":"tok"}""");
        var path = Path.Combine(_root, "secret.txt");
        await File.WriteAllTextAsync(path, "s");
        var query = $"path={Uri.EscapeDataString(path)}&username=root";

        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.Http.GetAsync($"/files?{query}")).StatusCode);

        using var withToken = new HttpRequestMessage(HttpMethod.Get, $"/files?{query}") { Headers = { { "X-Access-Token", "tok" } } };
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.SendAsync(withToken)).StatusCode);

        var signature = Sign(path, "read", "root", "tok", null);
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync($"/files?{query}&signature={signature}")).StatusCode);

        var future = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds();
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.GetAsync($"/files?{query}&signature={Sign(path, "read", "root", "tok", future)}&signature_expiration={future}")).StatusCode);

        var past = DateTimeOffset.UtcNow.AddMinutes(-5).ToUnixTimeSeconds();
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.Http.GetAsync($"/files?{query}&signature={Sign(path, "read", "root", "tok", past)}&signature_expiration={past}")).StatusCode);

        // A read signature does not allow a write, nor does another token's.
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.Http.PostAsync($"/files?{query}&signature={signature}", new ByteArrayContent("x"u8.ToArray()))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.Http.GetAsync($"/files?{query}&signature={Sign(path, "read", "root", "other", null)}")).StatusCode);
        Assert.Equal("s", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Download_ServesRanges_AndConditionalRequests()
    {
        await using var agent = await AgentProcess.StartAsync();
        var path = Path.Combine(_root, "digits.txt");
        await File.WriteAllTextAsync(path, "0123456789");
        var url = $"/files?path={Uri.EscapeDataString(path)}&username=root";

        using var middle = new HttpRequestMessage(HttpMethod.Get, url);
        middle.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(2, 5);
        using var partial = await agent.Http.SendAsync(middle);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("2345", await partial.Content.ReadAsStringAsync());
        Assert.Equal("bytes 2-5/10", partial.Content.Headers.ContentRange?.ToString());

        using var tail = new HttpRequestMessage(HttpMethod.Get, url);
        tail.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(null, 3);
        Assert.Equal("789", await (await agent.Http.SendAsync(tail)).Content.ReadAsStringAsync());

        using var past = new HttpRequestMessage(HttpMethod.Get, url);
        past.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, null);
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await agent.Http.SendAsync(past)).StatusCode);

        using var whole = await agent.Http.GetAsync(url);
        var etag = whole.Headers.ETag!;
        using var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(etag);
        Assert.Equal(HttpStatusCode.NotModified, (await agent.Http.SendAsync(again)).StatusCode);

        await File.WriteAllTextAsync(path, "changed, and longer");
        using var stale = new HttpRequestMessage(HttpMethod.Get, url);
        stale.Headers.IfNoneMatch.Add(etag);
        Assert.Equal("changed, and longer", await (await agent.Http.SendAsync(stale)).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task MetadataHeaders_BecomeXattrs_ReportedByStat_AndClearedByOverwrite()
    {
        await using var agent = await AgentProcess.StartAsync();
        var path = Path.Combine(_root, "meta.txt");
        var url = $"/files?path={Uri.EscapeDataString(path)}&username=root";
        using var upload = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent("x"u8.ToArray()) };
        upload.Headers.Add("X-Metadata-Owner-Team", "Data Science");
        upload.Headers.Add("X-Metadata-rev", "7");
        using var uploaded = await agent.Http.SendAsync(upload);
        Assert.Equal(HttpStatusCode.OK, uploaded.StatusCode);
        Assert.Contains("\"metadata\":{", await uploaded.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var entry = await StatAsync(agent, path);
        Assert.Equal("Data Science", entry["metadata"]!["owner-team"]!.GetValue<string>());
        Assert.Equal("7", entry["metadata"]!["rev"]!.GetValue<string>());

        (await agent.Http.PostAsync(url, new ByteArrayContent("y"u8.ToArray()))).EnsureSuccessStatusCode();
        Assert.Null((await StatAsync(agent, path))["metadata"]);

        using var bad = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent("z"u8.ToArray()) };
        bad.Headers.TryAddWithoutValidation("X-Metadata-k", new string('v', 5000));
        Assert.Equal(HttpStatusCode.BadRequest, (await agent.Http.SendAsync(bad)).StatusCode);
        Assert.Equal("y", await File.ReadAllTextAsync(path));
    }

    [Fact]
    public async Task Compose_ConcatenatesInOrder_AndRemovesTheSources()
    {
        await using var agent = await AgentProcess.StartAsync();
        var parts = new[] { "part-a", "part-b", "part-c" }.Select(p => Path.Combine(_root, p)).ToArray();
        for (var i = 0; i < parts.Length; i++)
        {
            await File.WriteAllTextAsync(parts[i], $"<{i}>");
        }

        var destination = Path.Combine(_root, "joined", "all.txt");
        using var composed = await agent.Http.PostAsync("/files/compose", new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { source_paths = parts, destination, username = "root" }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, composed.StatusCode);
        Assert.Contains("\"name\":\"all.txt\"", await composed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("<0><1><2>", await File.ReadAllTextAsync(destination));
        Assert.All(parts, p => Assert.False(File.Exists(p)));

        using var missing = await agent.Http.PostAsync("/files/compose", new StringContent(
            System.Text.Json.JsonSerializer.Serialize(new { source_paths = parts, destination, username = "root" }), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("<0><1><2>", await File.ReadAllTextAsync(destination));
    }

    private static async Task<System.Text.Json.Nodes.JsonNode> StatAsync(AgentProcess agent, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/filesystem.Filesystem/Stat")
        {
            Content = new StringContent(System.Text.Json.JsonSerializer.Serialize(new { path }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic", Convert.ToBase64String("root:"u8.ToArray()));
        using var response = await agent.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!["entry"]!;
    }
}
