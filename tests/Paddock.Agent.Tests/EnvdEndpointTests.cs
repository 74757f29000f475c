using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Paddock.Agent.Tests;

public class EnvdEndpointTests
{
    [Fact]
    public async Task Health_AnswersOnTheChannel_AndOnLoopbackInsideTheSandbox()
    {
        await using var agent = await AgentProcess.StartAsync();
        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.GetAsync("/health")).StatusCode);

        using var tcp = new HttpClient();
        Assert.Equal(HttpStatusCode.NoContent, (await tcp.GetAsync($"http://127.0.0.1:{agent.Port}/health")).StatusCode);
    }

    [Fact]
    public async Task Envs_ComeFromInitJson_AndPostInitAddsToThem()
    {
        await using var agent = await AgentProcess.StartAsync("""{"envVars":{"FOO":"bar","EMPTY":""}}""");
        var envs = await agent.Http.GetFromJsonAsync<Dictionary<string, string>>("/envs");
        Assert.Equal(new Dictionary<string, string> { ["FOO"] = "bar", ["EMPTY"] = string.Empty }, envs);

        using var init = await agent.Http.PostAsJsonAsync("/init", new { envVars = new Dictionary<string, string> { ["LATER"] = "1" } });
        Assert.Equal(HttpStatusCode.NoContent, init.StatusCode);
        envs = await agent.Http.GetFromJsonAsync<Dictionary<string, string>>("/envs");
        Assert.Equal("1", envs!["LATER"]);
        Assert.Equal("bar", envs["FOO"]);

        using var bad = await agent.Http.PostAsync("/init", new StringContent("{not json", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task SecureSandbox_NeedsTheAccessToken_ExceptForHealth()
    {
        await using var agent = await AgentProcess.StartAsync("""{"accessToken":"s3cret"}""");
        Assert.Equal(HttpStatusCode.NoContent, (await agent.Http.GetAsync("/health")).StatusCode);

        using var denied = await agent.Http.GetAsync("/envs");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        var body = JsonDocument.Parse(await denied.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(401, body.GetProperty("code").GetInt32());
        Assert.StartsWith("unauthorized access", body.GetProperty("message").GetString(), StringComparison.Ordinal);

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/envs") { Headers = { { "X-Access-Token", "nope" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await agent.Http.SendAsync(wrong)).StatusCode);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/envs") { Headers = { { "X-Access-Token", "s3cret" } } };
        Assert.Equal(HttpStatusCode.OK, (await agent.Http.SendAsync(right)).StatusCode);
    }

    [Fact]
    public async Task Metrics_ReportEnvdFields()
    {
        await using var agent = await AgentProcess.StartAsync();
        var metrics = JsonDocument.Parse(await agent.Http.GetStringAsync("/metrics")).RootElement;
        Assert.True(metrics.GetProperty("cpu_count").GetInt32() >= 1);
        Assert.True(metrics.GetProperty("mem_total").GetInt64() > 0);
        Assert.True(metrics.GetProperty("mem_total_mib").GetInt64() > 0);
        Assert.True(metrics.GetProperty("disk_total").GetInt64() > 0);
        Assert.InRange(metrics.GetProperty("cpu_used_pct").GetDouble(), 0, 100 * Environment.ProcessorCount);
        Assert.InRange(metrics.GetProperty("ts").GetInt64(), DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
    }
}
