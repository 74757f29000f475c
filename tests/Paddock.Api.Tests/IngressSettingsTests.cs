using System.Net;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// E2B's ingress settings on the wire: <c>network.allowPublicTraffic: false</c> mints a traffic access token that the
/// create, connect and resume answers carry and every port but the agent's asks for (E2B's 403 bodies without it);
/// <c>network.maskRequestHost</c> is checked as E2B checks it, each bad entry named in one 400.
/// </summary>
public sealed class IngressSettingsTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private const string Missing = "Sandbox is secured with traffic access token. Token header 'e2b-traffic-access-token' is missing";
    private const string Invalid = "Sandbox is secured with traffic access token. Provided token in header 'e2b-traffic-access-token' is invalid";

    private readonly ApiClient _api = server.Client();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task PrivateTraffic_MintsAToken_KeptAcrossPauseAndResume_AndReported()
    {
        var created = (await _api.PostAsync("/v2/sandboxes", new { templateID = "base", network = new { allowPublicTraffic = false } }))
            .AssertStatus(HttpStatusCode.Created).Json;
        var id = created.GetProperty("sandboxID").GetString()!;
        var token = created.GetProperty("trafficAccessToken").GetString()!;
        Assert.Matches("^[0-9a-f]{64}$", token);

        var detail = (await _api.GetAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.OK).Json;
        Assert.False(detail.GetProperty("network").GetProperty("allowPublicTraffic").GetBoolean());
        Assert.False(detail.GetProperty("network").TryGetProperty("maskRequestHost", out _));

        var connected = (await _api.PostAsync($"/sandboxes/{id}/connect", new { timeout = 60 })).AssertStatus(HttpStatusCode.OK).Json;
        Assert.Equal(token, connected.GetProperty("trafficAccessToken").GetString());
        (await _api.PostAsync($"/sandboxes/{id}/pause")).AssertStatus(HttpStatusCode.NoContent);
        var resumed = (await _api.PostAsync($"/sandboxes/{id}/resume", new { timeout = 60 })).AssertStatus(HttpStatusCode.Created).Json;
        Assert.Equal(token, resumed.GetProperty("trafficAccessToken").GetString());
        (await _api.PostAsync($"/sandboxes/{id}/pause")).AssertStatus(HttpStatusCode.NoContent);
        var reconnected = (await _api.PostAsync($"/v2/sandboxes/{id}/connect", new { timeout = 60 })).AssertStatus(HttpStatusCode.Created).Json;
        Assert.Equal(token, reconnected.GetProperty("trafficAccessToken").GetString());

        // Each sandbox gets its own.
        var other = (await _api.PostAsync("/v2/sandboxes", new { templateID = "base", network = new { allowPublicTraffic = false } }))
            .AssertStatus(HttpStatusCode.Created).Json;
        Assert.NotEqual(token, other.GetProperty("trafficAccessToken").GetString());

        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        (await _api.DeleteAsync($"/sandboxes/{other.GetProperty("sandboxID").GetString()}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task PublicTraffic_HasNoToken_AndReportsTheMask()
    {
        var created = (await _api.PostAsync("/v2/sandboxes", new { templateID = "base", network = new { allowPublicTraffic = true, maskRequestHost = "custom-host.example.com:${PORT}" } }))
            .AssertStatus(HttpStatusCode.Created).Json;
        var id = created.GetProperty("sandboxID").GetString()!;
        Assert.Equal(System.Text.Json.JsonValueKind.Null, created.GetProperty("trafficAccessToken").ValueKind);

        var network = (await _api.GetAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("network");
        Assert.True(network.GetProperty("allowPublicTraffic").GetBoolean());
        Assert.Equal("custom-host.example.com:${PORT}", network.GetProperty("maskRequestHost").GetString());

        var plain = await _api.CreateAsync();
        Assert.True((await _api.GetAsync($"/sandboxes/{plain}")).Json.GetProperty("network").GetProperty("allowPublicTraffic").GetBoolean());
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        (await _api.DeleteAsync($"/sandboxes/{plain}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task PrivateTraffic_OnAnInsecureSandbox_IsE2bsRefusal()
    {
        var before = server.Runtime.Containers.Count;
        var error = (await _api.PostAsync("/sandboxes", new { templateID = "base", secure = false, network = new { allowPublicTraffic = false } }))
            .AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("You cannot create a sandbox without public access unless you enable secure envd access via 'secure' flag.", error, StringComparison.Ordinal);
        Assert.Equal(before, server.Runtime.Containers.Count);

        // v1 with secure, and v2 (always secure), are fine.
        var id = (await _api.PostAsync("/sandboxes", new { templateID = "base", secure = true, network = new { allowPublicTraffic = false } }))
            .AssertStatus(HttpStatusCode.Created).Json.GetProperty("sandboxID").GetString();
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("\"a:b:c\"", "mask request host is not valid: a:b:c")]
    [InlineData("\"[::1\"", "mask request host is not valid: [::1")]
    [InlineData("\"[::1]:80\"", "mask request host is not valid: [::1]:80")]
    [InlineData("\"bad_host.example.com\"", "mask request host is not valid: bad_host.example.com")]
    [InlineData("\"-leading.example.com\"", "mask request host is not valid: -leading.example.com")]
    [InlineData("\"host.example.com:80\\r\\nX-Evil: 1\"", "mask request host is not valid: host.example.com:80")]
    [InlineData("\"bücher.example.com:${PORT}\"", "mask request host 'bücher.example.com' is not ASCII. Please use ASCII characters only.")]
    [InlineData("\"${PORT}-app.example.com\"", "mask request host is not valid: ${PORT}-app.example.com")]
    [InlineData("42", "'network.maskRequestHost' must be a string")]
    public async Task BadMasks_Are400_WithE2bsWords(string mask, string message)
    {
        var before = server.Runtime.Containers.Count;
        foreach (var path in new[] { "/sandboxes", "/v2/sandboxes" })
        {
            var body = $"{{\"templateID\":\"base\",\"secure\":true,\"network\":{{\"maskRequestHost\":{mask}}}}}";
            Assert.Contains(message, (await _api.PostRawAsync(path, body)).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
        }

        Assert.Equal(before, server.Runtime.Containers.Count);
    }

    [Theory]
    [InlineData("custom-host.example.com:${PORT}")]
    [InlineData("EXAMPLE.com")]
    [InlineData("localhost:8080")]
    [InlineData(":8080")]
    public async Task GoodMasks_AreKept(string mask)
    {
        var id = await _api.CreateAsync(new { templateID = "base", network = new { maskRequestHost = mask } });
        Assert.Equal(mask, (await _api.GetAsync($"/sandboxes/{id}")).Json.GetProperty("network").GetProperty("maskRequestHost").GetString());
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task EveryBadEntry_IsNamed_InOneAnswer()
    {
        var error = (await _api.PostRawAsync("/sandboxes", "{\"templateID\":\"base\",\"network\":{\"allowPublicTraffic\":\"no\",\"maskRequestHost\":\"a:b:c\"}}"))
            .AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("'network.allowPublicTraffic' must be a boolean", error, StringComparison.Ordinal);
        Assert.Contains("mask request host is not valid: a:b:c", error, StringComparison.Ordinal);

        var insecure = (await _api.PostRawAsync("/sandboxes", "{\"templateID\":\"base\",\"network\":{\"allowPublicTraffic\":false,\"maskRequestHost\":\"ü.example.com\"}}"))
            .AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("'secure' flag", insecure, StringComparison.Ordinal);
        Assert.Contains("mask request host 'ü.example.com' is not ASCII", insecure, StringComparison.Ordinal);

        // A network that is not an object is one complaint, however many settings are read from it.
        var notObject = (await _api.PostRawAsync("/v2/sandboxes", "{\"templateID\":\"base\",\"network\":[]}")).AssertError(HttpStatusCode.BadRequest);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(notObject, "'network' must be an object"));
    }

    [Fact]
    public async Task APrivatePort_WithoutOrWithAWrongToken_IsE2bs403_AndTheAgentPortNeedsNone()
    {
        var created = (await _api.PostAsync("/v2/sandboxes", new { templateID = "base", network = new { allowPublicTraffic = false } }))
            .AssertStatus(HttpStatusCode.Created).Json;
        var id = created.GetProperty("sandboxID").GetString()!;
        var token = created.GetProperty("trafficAccessToken").GetString()!;

        var missing = await SendToPortAsync(id, 8080, null);
        Assert.Equal(HttpStatusCode.Forbidden, missing.Status);
        Assert.Equal(id, missing.Json.GetProperty("sandboxId").GetString());
        Assert.Equal(Missing, missing.Json.GetProperty("message").GetString());
        Assert.Equal(403, missing.Json.GetProperty("code").GetInt32());

        var wrong = await SendToPortAsync(id, 8080, new string('0', 64));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.Status);
        Assert.Equal(Invalid, wrong.Json.GetProperty("message").GetString());
        Assert.Equal(Invalid, (await SendToPortAsync(id, 49999, token[..63])).Json.GetProperty("message").GetString());

        // With the token the request is forwarded: the runtime double has no listener, so the sandbox's 502.
        var passed = await SendToPortAsync(id, 8080, token);
        Assert.Equal(HttpStatusCode.BadGateway, passed.Status);
        Assert.Equal("The sandbox is running but port is not open", passed.Json.GetProperty("message").GetString());

        // The agent's port has its own access token; the traffic token is not asked for there.
        Assert.Equal(HttpStatusCode.BadGateway, (await SendToPortAsync(id, 49983, null)).Status);

        // A public sandbox's ports need no token.
        var open = await _api.CreateAsync();
        Assert.Equal(HttpStatusCode.BadGateway, (await SendToPortAsync(open, 8080, null)).Status);

        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        (await _api.DeleteAsync($"/sandboxes/{open}")).AssertStatus(HttpStatusCode.NoContent);
    }

    private async Task<ApiResponse> SendToPortAsync(string sandboxId, int port, string? token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("E2b-Sandbox-Id", sandboxId);
        request.Headers.Add("E2b-Sandbox-Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (token is not null)
        {
            request.Headers.Add("E2B-Traffic-Access-Token", token);
        }

        return await _api.SendRawAsync(request);
    }
}
