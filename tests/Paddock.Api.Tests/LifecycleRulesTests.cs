using System.Globalization;
using System.Net;
using System.Text.Json;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Core.Sandboxes;
using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>The lifecycle rules users rely on, through the API as E2B's SDKs call it, on a clock the tests move.</summary>
public sealed class LifecycleRulesTests : IAsyncLifetime
{
    private readonly InProcessServer _server = new();
    private ApiClient _api = null!;

    public Task InitializeAsync()
    {
        _api = _server.Client();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _server.DisposeAsync();
    }

    private DateTimeOffset Now => _server.Time.GetUtcNow();

    [Fact]
    public async Task CreateV2_ReturnsE2bsSandbox_AndInfoHasEveryRequiredField()
    {
        var created = (await _api.PostAsync("/v2/sandboxes", new { templateID = "base", metadata = new Dictionary<string, string> { ["owner"] = "tests" } }))
            .AssertStatus(HttpStatusCode.Created).Json;
        var id = created.GetProperty("sandboxID").GetString()!;
        Assert.Matches("^i[a-z0-9]{20}$", id);
        Assert.Equal(("base", "6532622b", 64), (created.GetProperty("templateID").GetString(), created.GetProperty("clientID").GetString(), created.GetProperty("envdAccessToken").GetString()!.Length));

        var info = (await _api.GetAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.OK).Json;
        Assert.Equal("running", info.GetProperty("state").GetString());
        Assert.Equal(TimeSpan.FromSeconds(300), Time(info, "endAt") - Time(info, "startedAt"));
        Assert.Equal((2, 512, 10240), (info.GetProperty("cpuCount").GetInt32(), info.GetProperty("memoryMB").GetInt32(), info.GetProperty("diskSizeMB").GetInt32()));
        Assert.Equal("tests", info.GetProperty("metadata").GetProperty("owner").GetString());
        Assert.Equal("kill", info.GetProperty("lifecycle").GetProperty("onTimeout").GetString());

        // <id>-<clientId> addresses the same sandbox.
        (await _api.GetAsync($"/sandboxes/{id}-6532622b")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task CreateV1_DefaultsTo15Seconds_AndSecureIsOptional()
    {
        var created = (await _api.PostAsync("/sandboxes", new { templateID = "code-interpreter-v1" })).AssertStatus(HttpStatusCode.Created).Json;
        Assert.Equal(("base", "code-interpreter-v1"), (created.GetProperty("templateID").GetString(), created.GetProperty("alias").GetString()));
        Assert.Equal(JsonValueKind.Null, created.GetProperty("envdAccessToken").ValueKind);
        var info = (await _api.GetAsync($"/sandboxes/{created.GetProperty("sandboxID").GetString()}")).Json;
        Assert.Equal(TimeSpan.FromSeconds(15), Time(info, "endAt") - Time(info, "startedAt"));

        var secure = (await _api.PostAsync("/sandboxes", new { templateID = "base", secure = true, timeout = 30 })).Json;
        Assert.False(string.IsNullOrEmpty(secure.GetProperty("envdAccessToken").GetString()));
    }

    [Fact]
    public async Task SetTimeout_Shortened_EndsTheSandboxAtItsDeadline_WithItsReason()
    {
        var id = await _api.CreateAsync();
        (await _api.PostAsync($"/sandboxes/{id}/timeout", new { timeout = 1 })).AssertStatus(HttpStatusCode.NoContent);
        Assert.InRange((Time((await _api.GetAsync($"/sandboxes/{id}")).Json, "endAt") - Now).TotalSeconds, 0, 1);

        _server.Time.Advance(TimeSpan.FromSeconds(2));
        await Eventually.TrueAsync(async () => (await _api.GetAsync($"/sandboxes/{id}")).Status == HttpStatusCode.NotFound, "the sandbox to be gone");
        Assert.Contains("its timeout passed", (await _api.GetAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
        Assert.DoesNotContain(id, _server.Runtime.Containers.Keys);
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task SetTimeout_Zero_EndsTheSandboxNow_ThroughTheTimeoutPath()
    {
        var id = await _api.CreateAsync();
        var paused = await _api.CreateAsync(new { templateID = "base", autoPause = true });
        (await _api.PostAsync($"/sandboxes/{id}/timeout", new { timeout = 0 })).AssertStatus(HttpStatusCode.NoContent);
        (await _api.PostAsync($"/sandboxes/{paused}/timeout", new { timeout = 0 })).AssertStatus(HttpStatusCode.NoContent);

        // No clock advance: a zero timeout is due at once.
        await Eventually.TrueAsync(async () => (await _api.GetAsync($"/sandboxes/{id}")).Status == HttpStatusCode.NotFound, "the sandbox to be gone");
        Assert.Contains("its timeout passed", (await _api.GetAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => await _api.StateOfAsync(paused) == "paused", "the auto-pause sandbox to pause");
    }

    [Fact]
    public async Task SetTimeout_CanExtend_AfterShortening()
    {
        var id = await _api.CreateAsync(new { templateID = "base", timeout = 2 });
        (await _api.PostAsync($"/sandboxes/{id}/timeout", new { timeout = 60 })).AssertStatus(HttpStatusCode.NoContent);
        _server.Time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal("running", await _api.StateOfAsync(id));
        Assert.InRange((Time((await _api.GetAsync($"/sandboxes/{id}")).Json, "endAt") - Now).TotalSeconds, 56, 57);
    }

    [Fact]
    public async Task Connect_And_Refresh_NeverShorten_ButExtend()
    {
        var id = await _api.CreateAsync(new { templateID = "base", timeout = 600 });
        var endAt = Time((await _api.GetAsync($"/sandboxes/{id}")).Json, "endAt");

        (await _api.PostAsync($"/v2/sandboxes/{id}/connect", new { timeout = 10 })).AssertStatus(HttpStatusCode.OK);
        (await _api.PostAsync($"/sandboxes/{id}/connect", new { timeout = 10 })).AssertStatus(HttpStatusCode.OK);
        (await _api.PostAsync($"/sandboxes/{id}/refreshes", new { duration = 20 })).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal(endAt, Time((await _api.GetAsync($"/sandboxes/{id}")).Json, "endAt"));

        (await _api.PostAsync($"/v2/sandboxes/{id}/connect", new { timeout = 1200 })).AssertStatus(HttpStatusCode.OK);
        var extended = Time((await _api.GetAsync($"/sandboxes/{id}")).Json, "endAt");
        Assert.InRange((extended - Now).TotalSeconds, 1199, 1200);

        // An empty v2 connect body means the default 300 s, which is shorter: no change.
        (await _api.SendAsync(HttpMethod.Post, $"/v2/sandboxes/{id}/connect", null)).AssertStatus(HttpStatusCode.OK);
        Assert.Equal(extended, Time((await _api.GetAsync($"/sandboxes/{id}")).Json, "endAt"));
    }

    [Fact]
    public async Task Refresh_ExtendsByAtLeast15Seconds_AndAtMost3600()
    {
        var id = await _api.CreateAsync(new { templateID = "base", timeout = 5 });
        (await _api.PostAsync($"/sandboxes/{id}/refreshes")).AssertStatus(HttpStatusCode.NoContent);
        Assert.InRange((Time((await _api.GetAsync($"/sandboxes/{id}")).Json, "endAt") - Now).TotalSeconds, 14, 15);
        Assert.Equal("validation error: duration must be at most 3600 seconds", (await _api.PostAsync($"/sandboxes/{id}/refreshes", new { duration = 3601 })).AssertError(HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Pause_Resume_Timeout_Refresh_Kill_AnswerWithE2bsCodesAndWords()
    {
        var id = await _api.CreateAsync();
        (await _api.PostAsync($"/sandboxes/{id}/pause", new { })).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal($"Error pausing sandbox - sandbox '{id}' is already paused", (await _api.PostAsync($"/sandboxes/{id}/pause")).AssertError(HttpStatusCode.Conflict));
        Assert.Equal($"Sandbox \"{id}\" is paused; resume it before setting its timeout", (await _api.PostAsync($"/sandboxes/{id}/timeout", new { timeout = 10 })).AssertError(HttpStatusCode.Conflict));
        Assert.Equal($"Sandbox \"{id}\" is paused; resume it before refreshing it", (await _api.PostAsync($"/sandboxes/{id}/refreshes")).AssertError(HttpStatusCode.Conflict));
        Assert.Contains(id, (await _api.GetAsync("/v2/sandboxes?state=paused")).Json.EnumerateArray().Select(s => s.GetProperty("sandboxID").GetString()));

        (await _api.PostAsync($"/sandboxes/{id}/resume", new { timeout = 60 })).AssertStatus(HttpStatusCode.Created);
        Assert.Equal($"Sandbox \"{id}\" is already running", (await _api.PostAsync($"/sandboxes/{id}/resume", new { timeout = 60 })).AssertError(HttpStatusCode.Conflict));

        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        var gone = (await _api.GetAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound);
        Assert.StartsWith($"Sandbox \"{id}\" doesn't exist or you don't have access to it (it was killed at ", gone, StringComparison.Ordinal);
        Assert.EndsWith(": killed by request)", gone, StringComparison.Ordinal);
        foreach (var (method, path) in new[] { ("DELETE", $"/sandboxes/{id}"), ("POST", $"/sandboxes/{id}/pause"), ("POST", $"/v2/sandboxes/{id}/connect") })
        {
            (await _api.SendAsync(new HttpMethod(method), path, null)).AssertError(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task ConcurrentPauses_OnOneSandbox_ExactlyOneWins()
    {
        var id = await _api.CreateAsync();
        _server.Runtime.Delay = TimeSpan.FromMilliseconds(20);
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _api.PostAsync($"/sandboxes/{id}/pause")));
        Assert.Equal((1, 5), (answers.Count(a => a.Status == HttpStatusCode.NoContent), answers.Count(a => a.Status == HttpStatusCode.Conflict)));
    }

    [Fact]
    public async Task ASandboxWhoseInitDies_IsEnded_WithTheReason_InTheAnswerTheListAndTheLog()
    {
        var id = await _api.CreateAsync();
        _server.Runtime.Exit(id, KillReason.OutOfMemory);
        await Eventually.TrueAsync(async () => (await _api.GetAsync($"/sandboxes/{id}")).Status == HttpStatusCode.NotFound, "the sandbox to be gone");

        Assert.Contains("it ran out of memory", (await _api.GetAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
        var listed = (await _api.GetAsync("/v2/sandboxes?state=killed")).Json.EnumerateArray().Single(s => s.GetProperty("sandboxID").GetString() == id);
        Assert.Equal("out_of_memory", listed.GetProperty("killReason").GetString());
        var logs = (await _api.GetAsync($"/v2/sandboxes/{id}/logs")).Json.GetProperty("logs");
        Assert.Contains(logs.EnumerateArray(), e => e.GetProperty("fields").TryGetProperty("reason", out var r) && r.GetString() == "out_of_memory");
    }

    private static DateTimeOffset Time(JsonElement sandbox, string field) =>
        DateTimeOffset.Parse(sandbox.GetProperty(field).GetString()!, CultureInfo.InvariantCulture);
}
