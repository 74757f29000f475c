using System.Net;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// What E2B's API offers and this server does not do yet is refused in words (a 400 naming the option, a 501 naming
/// the endpoint's feature), never accepted and dropped; and what exists (template aliases) is served.
/// </summary>
public sealed class UnbuiltFeaturesTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private readonly ApiClient _api = server.Client();

    public void Dispose() => _api.Dispose();

    [Theory]
    [InlineData("{\"templateID\":\"base\",\"network\":{\"rules\":{\"api.example.com\":[{}]}}}", "'network.rules'")]
    [InlineData("{\"templateID\":\"base\",\"autoPauseMemory\":false}", "autoPauseMemory=false only applies when autoPause is true.")]
    [InlineData("{\"templateID\":\"base\",\"autoPause\":true,\"autoPauseMemory\":false,\"autoResume\":{\"enabled\":true}}", "cannot be combined with autoResume")]
    [InlineData("{\"templateID\":\"base\",\"network\":[]}", "'network' must be an object")]
    public async Task Create_RefusesPromisesItWouldNotKeep(string body, string message)
    {
        var before = server.Runtime.Containers.Count;
        foreach (var path in new[] { "/sandboxes", "/v2/sandboxes" })
        {
            Assert.Contains(message, (await _api.PostRawAsync(path, body)).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
        }

        Assert.Equal(before, server.Runtime.Containers.Count);
    }

    [Fact]
    public async Task Create_RefusesEveryUnkeptOption_InOneAnswer()
    {
        var error = (await _api.PostRawAsync("/v2/sandboxes", "{\"templateID\":\"base\",\"autoPauseMemory\":false,\"network\":{\"rules\":{\"api.example.com\":[{}]},\"denyOut\":[\"example.com\"]}}"))
            .AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("autoPauseMemory=false only applies", error, StringComparison.Ordinal);
        Assert.Contains("'network.rules'", error, StringComparison.Ordinal);
        Assert.Contains("invalid denied CIDR example.com", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_AcceptsWhatHoldsAlready()
    {
        // What every SDK sends by default, and restrictions a sandbox without a network keeps trivially.
        var id = await _api.CreateAsync(new
        {
            templateID = "base",
            allow_internet_access = true,
            autoPause = true,
            autoPauseMemory = true,
            autoResume = new { enabled = false },
            network = new { allowPublicTraffic = true, denyOut = new[] { "0.0.0.0/0" }, allowOut = Array.Empty<string>() },
        });
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task MemoryFalse_OnPause_StopsTheContainer_AndConnectBootsItCold()
    {
        var id = await _api.CreateAsync();
        (await _api.PostAsync($"/sandboxes/{id}/pause", new { memory = false })).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal("paused", await _api.StateOfAsync(id));
        Assert.Equal("filesystem", (await _api.SendAsync(HttpMethod.Get, $"/sandboxes/{id}", null)).Json.GetProperty("pausedAs").GetString());
        Assert.Equal(Core.SandboxRuntime.RuntimeSandboxStatus.FilesOnly, server.Runtime.Containers[id]);
        (await _api.PostAsync($"/v2/sandboxes/{id}/connect", new { timeout = 30 })).AssertStatus(HttpStatusCode.Created);
        Assert.Equal("running", await _api.StateOfAsync(id));
        Assert.Contains($"start {id}", server.Runtime.Calls);
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        Assert.False(server.Runtime.Containers.ContainsKey(id));
    }

    [Fact]
    public async Task MemoryFalse_OnConnect_BootsAFrozenSandboxCold()
    {
        var id = await _api.CreateAsync();
        (await _api.PostAsync($"/sandboxes/{id}/pause", new { memory = true })).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal(Core.SandboxRuntime.RuntimeSandboxStatus.Paused, server.Runtime.Containers[id]);
        (await _api.PostAsync($"/v2/sandboxes/{id}/connect", new { timeout = 30, memory = false })).AssertStatus(HttpStatusCode.Created);
        Assert.Contains($"stop {id}", server.Runtime.Calls);
        Assert.Contains($"start {id}", server.Runtime.Calls);
        Assert.Equal(Core.SandboxRuntime.RuntimeSandboxStatus.Running, server.Runtime.Containers[id]);
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("POST", "/v3/templates", "Building templates")]
    [InlineData("GET", "/volumes", "Volumes")]
    public async Task E2bEndpointsNotBuilt_Are501_NamingTheFeature(string method, string path, string feature)
    {
        var response = await _api.SendAsync(new HttpMethod(method), path, "{}");
        var message = response.AssertError(HttpStatusCode.NotImplemented);
        Assert.Contains(feature, message, StringComparison.Ordinal);
        Assert.Contains("not supported", message, StringComparison.Ordinal);

        // Still behind the API key.
        (await _api.SendAsync(new HttpMethod(method), path, "{}", key: string.Empty)).AssertError(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("base", "base")]
    [InlineData("code-interpreter-v1", "base")]
    [InlineData("base:default", "base")]
    public async Task TemplateAliases_NameTheirTemplate(string alias, string templateId)
    {
        var json = (await _api.GetAsync($"/templates/aliases/{alias}")).AssertStatus(HttpStatusCode.OK).Json;
        Assert.Equal(templateId, json.GetProperty("templateID").GetString());
        Assert.False(json.GetProperty("public").GetBoolean());
    }

    [Theory]
    [InlineData("no-such-template", "template 'no-such-template' not found")]
    [InlineData("base:v2", "tag 'v2' does not exist for template 'base'")]
    public async Task UnknownAliases_Are404(string alias, string message)
    {
        Assert.Contains(message, (await _api.GetAsync($"/templates/aliases/{alias}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
    }
}
