using System.Globalization;
using System.Net;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// autoResume asks for the credentials the running sandbox would ask for before it wakes anything: a request the
/// sandbox would refuse (a private port without its traffic access token, the agent's port of a secure sandbox
/// without its access token) gets E2B's 403 and leaves the sandbox paused, its runtime untouched.
/// </summary>
public sealed class AutoResumeCredentialsTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private const string Refused = "This sandbox can't be resumed with the credentials provided. Check your access token and try again.";

    private readonly ApiClient _api = server.Client();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task APrivatePort_WithoutOrWithAWrongTrafficToken_IsRefused_AndTheSandboxStaysPaused()
    {
        var (id, trafficToken, _) = await CreatePausedAsync(allowPublicTraffic: false);
        var resumesBefore = ResumesOf(id);

        foreach (var token in new[] { null, new string('0', 64), trafficToken[..63] })
        {
            var refused = await SendAsync(id, 8080, trafficToken: token);
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Equal(Refused, refused.Json.GetProperty("message").GetString());
            Assert.Equal("paused", await _api.StateOfAsync(id));
        }

        Assert.Equal(resumesBefore, ResumesOf(id));

        // The right token wakes it; the runtime double has no listener, so the running sandbox's 502 follows.
        var passed = await SendAsync(id, 8080, trafficToken: trafficToken);
        Assert.Equal(HttpStatusCode.BadGateway, passed.Status);
        Assert.Equal("The sandbox is running but port is not open", passed.Json.GetProperty("message").GetString());
        Assert.Equal("running", await _api.StateOfAsync(id));
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task TheAgentPort_WithoutTheAccessToken_IsRefused_AndNeedsNoTrafficToken()
    {
        var (id, _, accessToken) = await CreatePausedAsync(allowPublicTraffic: false);
        var resumesBefore = ResumesOf(id);

        foreach (var token in new[] { null, "wrong" })
        {
            var refused = await SendAsync(id, 49983, accessToken: token);
            Assert.Equal(HttpStatusCode.Forbidden, refused.Status);
            Assert.Equal(Refused, refused.Json.GetProperty("message").GetString());
        }

        Assert.Equal("paused", await _api.StateOfAsync(id));
        Assert.Equal(resumesBefore, ResumesOf(id));

        // The agent's port asks for its access token only, never the traffic token.
        Assert.Equal(HttpStatusCode.BadGateway, (await SendAsync(id, 49983, accessToken: accessToken)).Status);
        Assert.Equal("running", await _api.StateOfAsync(id));
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task APublicPort_NeedsNoToken_ToWakeTheSandbox()
    {
        var (id, _, _) = await CreatePausedAsync(allowPublicTraffic: true);
        Assert.Equal(HttpStatusCode.BadGateway, (await SendAsync(id, 8080)).Status);
        Assert.Equal("running", await _api.StateOfAsync(id));
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    private int ResumesOf(string id) => server.Runtime.Calls.Count(c => c == $"resume {id}" || c == $"start {id}");

    private async Task<(string Id, string TrafficToken, string AccessToken)> CreatePausedAsync(bool allowPublicTraffic)
    {
        var created = (await _api.PostAsync("/v2/sandboxes", new
        {
            templateID = "base",
            autoPause = true,
            autoResume = new { enabled = true },
            network = new { allowPublicTraffic },
        })).AssertStatus(HttpStatusCode.Created).Json;
        var id = created.GetProperty("sandboxID").GetString()!;
        (await _api.PostAsync($"/sandboxes/{id}/pause")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal("paused", await _api.StateOfAsync(id));
        var traffic = created.GetProperty("trafficAccessToken").GetString() ?? string.Empty;
        return (id, traffic, created.GetProperty("envdAccessToken").GetString()!);
    }

    private async Task<ApiResponse> SendAsync(string sandboxId, int port, string? trafficToken = null, string? accessToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("E2b-Sandbox-Id", sandboxId);
        request.Headers.Add("E2b-Sandbox-Port", port.ToString(CultureInfo.InvariantCulture));
        if (trafficToken is not null)
        {
            request.Headers.Add("E2B-Traffic-Access-Token", trafficToken);
        }

        if (accessToken is not null)
        {
            request.Headers.Add("X-Access-Token", accessToken);
        }

        return await _api.SendRawAsync(request);
    }
}
