using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>What only real sandboxes show of the lifecycle (the rules themselves are tested in-process in Paddock.Api.Tests).</summary>
[Collection(ContainersCollection.Name)]
public sealed class SandboxLifecycleTests(SharedServer shared)
{
    private ApiClient Api => shared.Client;

    private SandboxShell Shell => shared.Shell;

    private static DateTimeOffset Time(System.Text.Json.JsonElement sandbox, string field) =>
        DateTimeOffset.Parse(sandbox.GetProperty(field).GetString()!, CultureInfo.InvariantCulture);

    [Fact]
    public async Task CreateV2_ReturnsE2bSandbox_AndInfoHasEveryRequiredField()
    {
        var created = (await Api.PostAsync("/v2/sandboxes", new { templateID = "base", metadata = new Dictionary<string, string> { ["owner"] = "tests" }, envVars = new { FOO = "bar" } }))
            .AssertStatus(HttpStatusCode.Created).Json;
        var id = created.GetProperty("sandboxID").GetString()!;
        try
        {
            Assert.Matches(new Regex("^i[a-z0-9]{20}$"), id);
            Assert.Equal("base", created.GetProperty("templateID").GetString());
            Assert.Equal("6532622b", created.GetProperty("clientID").GetString());
            Assert.Matches(new Regex(@"^\d+\.\d+\.\d+$"), created.GetProperty("envdVersion").GetString()!);
            Assert.Equal(64, created.GetProperty("envdAccessToken").GetString()!.Length);

            var info = (await Api.GetAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.OK).Json;
            Assert.Equal(id, info.GetProperty("sandboxID").GetString());
            Assert.Equal("running", info.GetProperty("state").GetString());
            Assert.Equal(TimeSpan.FromSeconds(300), Time(info, "endAt") - Time(info, "startedAt"));
            Assert.Equal(2, info.GetProperty("cpuCount").GetInt32());
            Assert.Equal(512, info.GetProperty("memoryMB").GetInt32());
            Assert.True(info.GetProperty("diskSizeMB").GetInt32() >= 0);
            Assert.Equal(0, info.GetProperty("volumeMounts").GetArrayLength());
            Assert.Equal("tests", info.GetProperty("metadata").GetProperty("owner").GetString());
            Assert.Equal("kill", info.GetProperty("lifecycle").GetProperty("onTimeout").GetString());
            Assert.Equal("6532622b", info.GetProperty("clientID").GetString());
            Assert.Equal(created.GetProperty("envdAccessToken").GetString(), info.GetProperty("envdAccessToken").GetString());

            // The sandbox is a running container with the env vars it was given.
            Assert.Equal("running", await Shell.ContainerStatusAsync(id));
            Assert.Contains("FOO=bar", await Shell.ExecAsync(id, "cat /proc/1/environ | tr '\\0' '\\n'"), StringComparison.Ordinal);

            // The id suffix rule: <id>-<clientId> addresses the same sandbox.
            (await Api.GetAsync($"/sandboxes/{id}-6532622b")).AssertStatus(HttpStatusCode.OK);
        }
        finally
        {
            await Api.DeleteAsync($"/sandboxes/{id}");
        }
    }

    [Fact]
    public async Task SetTimeout_Shortened_SandboxIsGoneAfterExpiry()
    {
        var id = await Api.CreateAsync();
        (await Api.PostAsync($"/sandboxes/{id}/timeout", new { timeout = 1 })).AssertStatus(HttpStatusCode.NoContent);
        var info = (await Api.GetAsync($"/sandboxes/{id}")).Json;
        Assert.InRange((Time(info, "endAt") - DateTimeOffset.UtcNow).TotalSeconds, -0.5, 1.5);

        await Api.WaitForStateAsync(id, "gone", TimeSpan.FromSeconds(5));
        var message = (await Api.GetAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound);
        Assert.Contains("timeout", message, StringComparison.Ordinal);
        Assert.Equal("absent", await Shell.ContainerStatusAsync(id));
        Assert.False(Directory.Exists(Path.Combine(shared.Server.DataDir, "sandboxes", id)));
        (await Api.DeleteAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AutoPause_PausesOnTimeout_AndConnectResumesMemoryAndFiles()
    {
        var id = await Api.CreateAsync(new { templateID = "base", timeout = 3, autoPause = true });
        try
        {
            Assert.Equal("pause", (await Api.GetAsync($"/sandboxes/{id}")).Json.GetProperty("lifecycle").GetProperty("onTimeout").GetString());

            // The counter lives in the shell's memory; only its latest value is written out.
            await Shell.StartBackgroundAsync(id, "i=0; while :; do i=$((i+1)); echo $i > /tmp/counter.tmp; mv /tmp/counter.tmp /tmp/counter; sleep 0.05; done");
            Assert.Contains("exit=0", await Shell.ExecAsync(id, "echo kept-across-pause > /home/user/note.txt", asUser: true), StringComparison.Ordinal);

            await Api.WaitForStateAsync(id, "paused", TimeSpan.FromSeconds(10));
            Assert.Equal("paused", await Shell.ContainerStatusAsync(id));
            var atPause = int.Parse(await Shell.ReadUpperFileAsync(id, "/tmp/counter"), CultureInfo.InvariantCulture);
            // That nothing moves can only be watched for a while: a second is twenty of the counter's steps.
            await Task.Delay(1000);
            Assert.Equal(atPause, int.Parse(await Shell.ReadUpperFileAsync(id, "/tmp/counter"), CultureInfo.InvariantCulture));
            Assert.True(atPause > 20, $"the counter only reached {atPause} before the pause");

            (await Api.PostAsync($"/v2/sandboxes/{id}/connect", new { timeout = 60 })).AssertStatus(HttpStatusCode.Created);
            Assert.Equal("running", await Api.StateOfAsync(id));
            // It goes on from where it stopped: the shell's memory came back, not a fresh start.
            var afterResume = atPause;
            await Eventually.TrueAsync(
                async () => (afterResume = int.Parse(await Shell.ReadUpperFileAsync(id, "/tmp/counter"), CultureInfo.InvariantCulture)) != atPause,
                "the counter to go on after the resume");
            Assert.InRange(afterResume, atPause + 1, atPause + 40);
            Assert.Contains("kept-across-pause", await Shell.ExecAsync(id, "cat /home/user/note.txt"), StringComparison.Ordinal);
        }
        finally
        {
            await Api.DeleteAsync($"/sandboxes/{id}");
        }
    }

    [Fact]
    public async Task Pause_Resume_Kill_FollowE2bStatusCodes()
    {
        var id = await Api.CreateAsync();
        (await Api.PostAsync($"/sandboxes/{id}/pause", new { })).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal("paused", await Api.StateOfAsync(id));
        Assert.Equal("paused", await Shell.ContainerStatusAsync(id));

        var twice = (await Api.PostAsync($"/sandboxes/{id}/pause")).AssertError(HttpStatusCode.Conflict);
        Assert.Contains("already paused", twice, StringComparison.Ordinal);
        (await Api.PostAsync($"/sandboxes/{id}/timeout", new { timeout = 10 })).AssertError(HttpStatusCode.Conflict);

        var listedPaused = (await Api.GetAsync("/v2/sandboxes?state=paused")).Json.EnumerateArray().Select(s => s.GetProperty("sandboxID").GetString());
        Assert.Contains(id, listedPaused);

        var resumed = (await Api.PostAsync($"/sandboxes/{id}/resume", new { timeout = 60 })).AssertStatus(HttpStatusCode.Created).Json;
        Assert.Equal(id, resumed.GetProperty("sandboxID").GetString());
        Assert.Equal("running", await Shell.ContainerStatusAsync(id));
        (await Api.PostAsync($"/sandboxes/{id}/resume", new { timeout = 60 })).AssertError(HttpStatusCode.Conflict);

        (await Api.PostAsync($"/sandboxes/{id}/pause")).AssertStatus(HttpStatusCode.NoContent);
        (await Api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Contains("killed by request", (await Api.GetAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
        (await Api.DeleteAsync($"/sandboxes/{id}")).AssertError(HttpStatusCode.NotFound);
        (await Api.PostAsync($"/sandboxes/{id}/pause")).AssertError(HttpStatusCode.NotFound);
        (await Api.PostAsync($"/v2/sandboxes/{id}/connect")).AssertError(HttpStatusCode.NotFound);
        Assert.Equal("absent", await Shell.ContainerStatusAsync(id));
    }

    [Fact]
    public async Task ConcurrentCreates_AllSucceed_AndAreDistinct()
    {
        var ids = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Api.CreateAsync()));
        try
        {
            Assert.Equal(5, ids.Distinct().Count());
            foreach (var id in ids)
            {
                Assert.Equal("running", await Shell.ContainerStatusAsync(id));
            }
        }
        finally
        {
            await Task.WhenAll(ids.Select(id => Api.DeleteAsync($"/sandboxes/{id}")));
        }
    }
}
