using System.Net;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

public sealed class ApiBasicsTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private readonly ApiClient _api = server.Client();

    private ApiClient Api => _api;

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Health_NeedsNoKey()
    {
        var response = await Api.GetAsync("/health", key: string.Empty);
        response.AssertStatus(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("GET", "/v2/sandboxes")]
    [InlineData("GET", "/sandboxes")]
    [InlineData("POST", "/v2/sandboxes")]
    [InlineData("GET", "/sandboxes/iabc")]
    [InlineData("DELETE", "/sandboxes/iabc")]
    [InlineData("POST", "/sandboxes/iabc/pause")]
    public async Task EveryEndpoint_WithoutKey_Is401(string method, string path)
    {
        var missing = await Api.SendAsync(new HttpMethod(method), path, null, key: string.Empty);
        Assert.Contains("X-API-Key", missing.AssertError(HttpStatusCode.Unauthorized), StringComparison.Ordinal);

        var wrong = await Api.SendAsync(new HttpMethod(method), path, null, key: "e2b_" + new string('f', 40));
        Assert.StartsWith("Invalid API key", wrong.AssertError(HttpStatusCode.Unauthorized), StringComparison.Ordinal);

        var malformed = await Api.SendAsync(new HttpMethod(method), path, null, key: "not-a-key");
        malformed.AssertError(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("{bad json", "not valid JSON")]
    [InlineData("[1,2]", "must be a JSON object")]
    [InlineData("{}", "'templateID' is required")]
    [InlineData("{\"templateID\":5}", "'templateID' must be a string")]
    [InlineData("{\"templateID\":\"base\",\"timeout\":\"10\"}", "'timeout' must be an integer")]
    [InlineData("{\"templateID\":\"base\",\"timeout\":1.5}", "'timeout' must be an integer")]
    [InlineData("{\"templateID\":\"base\",\"timeout\":0}", "Timeout must be greater than 0")]
    [InlineData("{\"templateID\":\"base\",\"timeout\":-3}", "Timeout must be greater than 0")]
    [InlineData("{\"templateID\":\"base\",\"timeout\":86401}", "Timeout cannot be greater than 24 hours")]
    [InlineData("{\"templateID\":\"base\",\"metadata\":{\"a\":1}}", "'metadata.a' must be a string")]
    [InlineData("{\"templateID\":\"base\",\"envVars\":[]}", "'envVars' must be an object")]
    [InlineData("{\"templateID\":\"base\",\"autoPause\":\"yes\"}", "'autoPause' must be a boolean")]
    public async Task Create_BadInput_Is400_SayingWhatWasWrong(string body, string expected)
    {
        var before = (await Api.GetAsync("/v2/sandboxes?state=running,paused,killed")).Json.GetArrayLength();
        var message = (await Api.PostRawAsync("/v2/sandboxes", body)).AssertError(HttpStatusCode.BadRequest);
        Assert.Contains(expected, message, StringComparison.Ordinal);

        // Bad input loses nothing and creates nothing.
        Assert.Equal(before, (await Api.GetAsync("/v2/sandboxes?state=running,paused,killed")).Json.GetArrayLength());
    }

    [Fact]
    public async Task Create_ListsEveryBadField_InOneError()
    {
        var message = (await Api.PostRawAsync("/v2/sandboxes", "{\"templateID\":1,\"timeout\":\"x\",\"autoPause\":3}")).AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("templateID", message, StringComparison.Ordinal);
        Assert.Contains("timeout", message, StringComparison.Ordinal);
        Assert.Contains("autoPause", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("nope")]
    [InlineData("base:latest")]
    public async Task Create_UnknownTemplate_Is404(string template)
    {
        var message = (await Api.PostAsync("/v2/sandboxes", new { templateID = template })).AssertError(HttpStatusCode.NotFound);
        Assert.Contains(template, message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/sandboxes/BAD")]
    [InlineData("DELETE", "/sandboxes/i_x")]
    [InlineData("POST", "/sandboxes/I1/pause")]
    [InlineData("POST", "/v2/sandboxes/i.x/connect")]
    public async Task BadSandboxId_Is400(string method, string path)
    {
        var message = (await Api.SendAsync(new HttpMethod(method), path, method == "POST" ? "{}" : null)).AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("Invalid sandbox ID", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/sandboxes/iunknown0000000000000", null)]
    [InlineData("GET", "/sandboxes/iunknown0000000000000-6532622b", null)]
    [InlineData("DELETE", "/sandboxes/iunknown0000000000000", null)]
    [InlineData("POST", "/sandboxes/iunknown0000000000000/timeout", "{\"timeout\":10}")]
    [InlineData("POST", "/sandboxes/iunknown0000000000000/refreshes", "{}")]
    [InlineData("POST", "/sandboxes/iunknown0000000000000/pause", "{}")]
    [InlineData("POST", "/sandboxes/iunknown0000000000000/resume", "{}")]
    [InlineData("POST", "/sandboxes/iunknown0000000000000/connect", "{\"timeout\":10}")]
    [InlineData("POST", "/v2/sandboxes/iunknown0000000000000/connect", null)]
    public async Task UnknownSandbox_Is404_WithE2bMessage(string method, string path, string? body)
    {
        var message = (await Api.SendAsync(new HttpMethod(method), path, body)).AssertError(HttpStatusCode.NotFound);
        Assert.StartsWith("Sandbox \"iunknown0000000000000\" doesn't exist or you don't have access to it", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("limit=0", "limit must be at least 1")]
    [InlineData("limit=abc", "limit must be an integer")]
    [InlineData("order=sideways", "order must be")]
    [InlineData("state=sleeping", "state must be")]
    [InlineData("nextToken=garbage", "Invalid next token")]
    [InlineData("startedAfter=yesterday", "startedAfter must be")]
    [InlineData("template=base:v1", "without a tag")]
    [InlineData("metadata=a%3Db%3Dc", "invalid metadata filter")]
    public async Task List_BadQuery_Is400(string query, string expected)
    {
        var message = (await Api.GetAsync($"/v2/sandboxes?{query}")).AssertError(HttpStatusCode.BadRequest);
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownRoute_Is404_InJson()
    {
        (await Api.GetAsync("/no/such/thing")).AssertError(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Timeout_BadBodies_Are400()
    {
        var id = await Api.CreateAsync();
        try
        {
            Assert.Contains("'timeout' is required", (await Api.PostRawAsync($"/sandboxes/{id}/timeout", "{}")).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
            Assert.Contains("a JSON request body is required", (await Api.PostRawAsync($"/sandboxes/{id}/timeout", "")).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
            Assert.Contains("greater than 0", (await Api.PostAsync($"/sandboxes/{id}/timeout", new { timeout = -1 })).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
            Assert.Contains("cannot be greater", (await Api.PostAsync($"/sandboxes/{id}/timeout", new { timeout = 100000 })).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
            Assert.Contains("3600", (await Api.PostAsync($"/sandboxes/{id}/refreshes", new { duration = 3601 })).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
            Assert.Contains("'timeout' is required", (await Api.PostAsync($"/sandboxes/{id}/connect", new { })).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
            Assert.Equal("running", await Api.StateOfAsync(id));
        }
        finally
        {
            await Api.DeleteAsync($"/sandboxes/{id}");
        }
    }
}
