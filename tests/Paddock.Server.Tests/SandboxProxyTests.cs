using System.Net;
using System.Text.Json;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>Sandbox traffic through the API's own address, as E2B's SDKs send it.</summary>
[Collection(ContainersCollection.Name)]
public sealed class SandboxProxyTests(SharedServer shared)
{
    private ApiClient Api => shared.Client;

    private static async Task<ApiResponse> SandboxRequestAsync(ApiClient api, string sandboxId, int port, string path, string? token = null, string method = "GET")
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("E2b-Sandbox-Id", sandboxId);
        request.Headers.Add("E2b-Sandbox-Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (token is not null)
        {
            request.Headers.Add("X-Access-Token", token);
        }

        return await api.SendRawAsync(request);
    }

    private static void AssertNotFound502(ApiResponse response, string sandboxId)
    {
        response.AssertStatus(HttpStatusCode.BadGateway);
        Assert.Equal(sandboxId, response.Json.GetProperty("sandboxId").GetString());
        Assert.Equal("The sandbox was not found", response.Json.GetProperty("message").GetString());
        Assert.Equal(502, response.Json.GetProperty("code").GetInt32());
    }

    [Fact]
    public async Task AgentHealth_AnswersWhileRunning_502WhenPausedOrKilled()
    {
        var id = await Api.CreateAsync();
        (await SandboxRequestAsync(Api, id, 49983, "/health")).AssertStatus(HttpStatusCode.NoContent);

        (await Api.PostAsync($"/sandboxes/{id}/pause")).AssertStatus(HttpStatusCode.NoContent);
        AssertNotFound502(await SandboxRequestAsync(Api, id, 49983, "/health"), id);

        (await Api.PostAsync($"/v2/sandboxes/{id}/connect")).AssertStatus(HttpStatusCode.Created);
        (await SandboxRequestAsync(Api, id, 49983, "/health")).AssertStatus(HttpStatusCode.NoContent);

        (await Api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        AssertNotFound502(await SandboxRequestAsync(Api, id, 49983, "/health"), id);
        AssertNotFound502(await SandboxRequestAsync(Api, "iunknown0000000000000", 49983, "/health"), "iunknown0000000000000");
    }

    [Fact]
    public async Task SandboxTraffic_NeedsNoApiKey_ButTheAgentChecksTheAccessToken()
    {
        var created = (await Api.PostAsync("/v2/sandboxes", new { templateID = "base", envVars = new Dictionary<string, string> { ["GREETING"] = "hello" } })).Json;
        var id = created.GetProperty("sandboxID").GetString()!;
        var token = created.GetProperty("envdAccessToken").GetString()!;
        try
        {
            using var anonymous = new ApiClient(shared.Server.BaseAddress, string.Empty);
            (await SandboxRequestAsync(anonymous, id, 49983, "/health")).AssertStatus(HttpStatusCode.NoContent);

            var denied = await SandboxRequestAsync(anonymous, id, 49983, "/envs");
            Assert.StartsWith("unauthorized access", denied.AssertError(HttpStatusCode.Unauthorized), StringComparison.Ordinal);

            var envs = (await SandboxRequestAsync(anonymous, id, 49983, "/envs", token)).AssertStatus(HttpStatusCode.OK).Json;
            Assert.Equal("hello", envs.GetProperty("GREETING").GetString());

            var metrics = (await SandboxRequestAsync(anonymous, id, 49983, "/metrics", token)).AssertStatus(HttpStatusCode.OK).Json;
            Assert.Equal(2, metrics.GetProperty("cpu_count").GetInt32());
            Assert.Equal(512, metrics.GetProperty("mem_total_mib").GetInt64());
        }
        finally
        {
            await Api.DeleteAsync($"/sandboxes/{id}");
        }
    }

    [Fact]
    public async Task AServerStartedInTheSandbox_AnswersOnItsPort_AndAClosedPortIs502()
    {
        var id = await Api.CreateAsync();
        try
        {
            await shared.Shell.StartBackgroundAsync(id, "cd /home/user && echo sandbox-page > index.html && exec python3 -m http.server 8000 --bind 127.0.0.1", asUser: true);
            ApiResponse page;
            var attempts = 0;
            while ((page = await SandboxRequestAsync(Api, id, 8000, "/index.html")).Status != HttpStatusCode.OK && attempts++ < 100)
            {
                await Task.Delay(100);
            }

            page.AssertStatus(HttpStatusCode.OK);
            Assert.Equal("sandbox-page", page.Text.Trim());

            var closed = await SandboxRequestAsync(Api, id, 8001, "/");
            closed.AssertStatus(HttpStatusCode.BadGateway);
            Assert.Equal("The sandbox is running but port is not open", closed.Json.GetProperty("message").GetString());
            Assert.Equal(8001, closed.Json.GetProperty("port").GetInt32());

            (await Api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
            AssertNotFound502(await SandboxRequestAsync(Api, id, 8000, "/index.html"), id);
        }
        finally
        {
            await Api.DeleteAsync($"/sandboxes/{id}");
        }
    }

    [Fact]
    public async Task HostNameRouting_ReachesTheSandbox()
    {
        var id = await Api.CreateAsync();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
            request.Headers.Host = $"49983-{id}.{SharedServer.Domain}";
            (await Api.SendRawAsync(request)).AssertStatus(HttpStatusCode.NoContent);
        }
        finally
        {
            await Api.DeleteAsync($"/sandboxes/{id}");
        }
    }

    [Theory]
    [InlineData("/init", "POST")]
    [InlineData("/freeze", "POST")]
    [InlineData("/fsthaw", "POST")]
    public async Task InternalEnvdPaths_AreRefusedFromOutside(string path, string method)
    {
        var id = await Api.CreateAsync();
        try
        {
            (await SandboxRequestAsync(Api, id, 49983, path, method: method)).AssertError(HttpStatusCode.Forbidden);
        }
        finally
        {
            await Api.DeleteAsync($"/sandboxes/{id}");
        }
    }

    [Fact]
    public async Task OnlyOneRoutingHeader_Is400()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health");
        request.Headers.Add("E2b-Sandbox-Id", "iabc");
        Assert.Contains("E2b-Sandbox-Port", (await Api.SendRawAsync(request)).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
    }
}
