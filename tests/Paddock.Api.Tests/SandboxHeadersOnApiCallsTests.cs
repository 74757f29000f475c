using System.Net;
using System.Text;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// E2B's Python SDK 2.7 – 2.26 sends the sandbox routing headers on every request, API calls included: an API
/// call (an API key on an API path) must still reach the API, and sandbox traffic must still reach the sandbox.
/// </summary>
public sealed class SandboxHeadersOnApiCallsTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private const string Key = ServerProcess.ApiKey;
    private readonly ApiClient _api = server.Client();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task TheLifecycle_WithRoutingHeaders_ReachesTheApi()
    {
        var id = await _api.CreateAsync();

        var connected = await SendAsync(HttpMethod.Post, $"/sandboxes/{id}/connect", id, "{\"timeout\":60}");
        connected.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(id, connected.Json.GetProperty("sandboxID").GetString());
        (await SendAsync(HttpMethod.Get, $"/sandboxes/{id}", id)).AssertStatus(HttpStatusCode.OK);
        (await SendAsync(HttpMethod.Post, $"/sandboxes/{id}/timeout", id, "{\"timeout\":120}")).AssertStatus(HttpStatusCode.NoContent);
        (await SendAsync(HttpMethod.Post, $"/sandboxes/{id}/pause", id)).AssertStatus(HttpStatusCode.NoContent);

        // Connecting to a paused sandbox resumes it (201), as it does without the headers.
        (await SendAsync(HttpMethod.Post, $"/v2/sandboxes/{id}/connect", id, "{\"timeout\":60}")).AssertStatus(HttpStatusCode.Created);
        (await SendAsync(HttpMethod.Get, "/v2/sandboxes?state=running", id)).AssertStatus(HttpStatusCode.OK);
        (await SendAsync(HttpMethod.Delete, $"/sandboxes/{id}", id)).AssertStatus(HttpStatusCode.NoContent);
        Assert.Contains("doesn't exist", (await SendAsync(HttpMethod.Post, $"/sandboxes/{id}/connect", id, "{\"timeout\":60}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWrongKey_OnAnApiPath_IsTheApisRefusal()
    {
        var id = await _api.CreateAsync();
        var wrong = await SendAsync(HttpMethod.Post, $"/sandboxes/{id}/connect", id, "{\"timeout\":60}", key: "e2b_" + new string('f', 40));
        Assert.StartsWith("Invalid API key", wrong.AssertError(HttpStatusCode.Unauthorized), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/files?path=x")]
    [InlineData("/envs")]
    public async Task SandboxPaths_StaySandboxTraffic_EvenWithAnApiKey(string path)
    {
        // An unknown sandbox: the proxy's 502 (what the SDKs read as "not running"), never the API's own /health.
        var response = await SendAsync(HttpMethod.Get, path, "inotrunning00000000000");
        Assert.Equal(HttpStatusCode.BadGateway, response.Status);
        Assert.Equal("The sandbox was not found", response.Json.GetProperty("message").GetString());
    }

    private async Task<ApiResponse> SendAsync(HttpMethod method, string path, string sandboxId, string? json = null, string key = Key)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add("X-API-Key", key);
        request.Headers.Add("E2b-Sandbox-Id", sandboxId);
        request.Headers.Add("E2b-Sandbox-Port", "49983");
        request.Headers.Add("User-Agent", "e2b-python-sdk/2.22.0");
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await _api.SendRawAsync(request);
    }
}
