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
}
