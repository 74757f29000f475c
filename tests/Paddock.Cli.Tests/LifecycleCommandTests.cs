using System.Text.Json;
using Paddock.Testing;

namespace Paddock.Cli.Tests;

/// <summary>What E2B's CLI users expect: kill --all, create's --auto-pause and --env, metrics, killed sandboxes
/// in list, pause and resume that say what they did, and JSON that reads as it was written.</summary>
[Collection(CliCollection.Name)]
public sealed class LifecycleCommandTests(CliServer live)
{
    [Fact]
    public async Task KillAll_KillsWhatTheFiltersMatch_AndPrintsTheirIds()
    {
        var group = "g" + Guid.NewGuid().ToString("N")[..8];
        var running = await CreateAsync("--metadata", $"group={group}");
        var paused = await CreateAsync("--metadata", $"group={group}");
        var other = await CreateAsync("--metadata", $"group={group}-other");
        try
        {
            Assert.Equal(0, (await live.PaddockAsync("sandbox", "pause", paused)).ExitCode);

            var first = await live.PaddockAsync("sandbox", "kill", "--all", "--metadata", $"group={group}", "--state", "paused");
            Assert.True(first.ExitCode == 0, first.Stderr);
            Assert.Equal($"{paused}\n", first.Stdout);

            var second = await live.PaddockAsync("sandbox", "kill", "--all", "-m", $"group={group}");
            Assert.Equal($"{running}\n", second.Stdout);

            var none = await live.PaddockAsync("sandbox", "kill", "--all", "-m", $"group={group}");
            Assert.Equal(0, none.ExitCode);
            Assert.Equal(string.Empty, none.Stdout);
            Assert.Contains("no sandbox matched", none.Stderr, StringComparison.Ordinal);

            Assert.Equal(0, (await live.PaddockAsync("sandbox", "info", other)).ExitCode);
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", "--all", "-m", $"group={group}-other");
        }
    }

    [Fact]
    public async Task Create_WithEnv_SetsTheSandboxesVariables_AndJsonKeepsPlusSigns()
    {
        var created = await live.PaddockAsync("sandbox", "create", "--env", "GREETING=a+b", "-e", "OTHER=x=y", "--metadata", "tag=c++", "--json");
        Assert.True(created.ExitCode == 0, created.Stderr);
        Assert.Contains("\"tag\": \"c++\"", created.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u002B", created.Stdout, StringComparison.Ordinal);
        var id = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("sandboxId").GetString()!;
        try
        {
            Assert.Equal("a+b x=y\n", (await live.PaddockAsync("sandbox", "exec", id, "--", "sh", "-c", "echo $GREETING $OTHER")).Stdout);
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }

    [Fact]
    public async Task Create_WithAutoPause_PausesAtTheTimeout_InsteadOfKilling()
    {
        var id = await CreateAsync("--timeout", "3", "--auto-pause");
        try
        {
            await Eventually.TrueAsync(
                async () => (await live.PaddockAsync("sandbox", "list", "--state", "paused", "--json")).Stdout.Contains(id, StringComparison.Ordinal),
                "the sandbox to be paused at its timeout",
                TimeSpan.FromSeconds(60));
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }

    [Fact]
    public async Task PauseAndResume_SayWhatTheyDid_AndResumingARunningSandboxChangesNothing()
    {
        var id = await CreateAsync();
        try
        {
            Assert.Equal($"sandbox {id} paused\n", (await live.PaddockAsync("sandbox", "pause", id)).Stdout);
            var again = await live.PaddockAsync("sandbox", "pause", id);
            Assert.Equal(0, again.ExitCode);
            Assert.Equal($"sandbox {id} was already paused\n", again.Stdout);

            Assert.Equal($"sandbox {id} resumed\n", (await live.PaddockAsync("sandbox", "resume", id)).Stdout);
            var endAt = await EndAtAsync(id);
            var running = await live.PaddockAsync("sandbox", "resume", id, "--timeout", "3000");
            Assert.Equal(0, running.ExitCode);
            Assert.Contains("already running", running.Stdout, StringComparison.Ordinal);
            Assert.Equal(endAt, await EndAtAsync(id));
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }

    [Fact]
    public async Task Metrics_ShowTheSandboxesUse_AndItsDiskWhilePaused()
    {
        var id = await CreateAsync();
        try
        {
            var json = await live.PaddockAsync("sandbox", "metrics", id, "--json");
            Assert.True(json.ExitCode == 0, json.Stderr);
            var sample = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray());
            Assert.True(sample.GetProperty("memTotal").GetInt64() > 0);
            Assert.True(sample.GetProperty("cpuCount").GetInt32() > 0);
            Assert.Contains("MiB", (await live.PaddockAsync("sandbox", "metrics", id)).Stdout, StringComparison.Ordinal);

            await live.PaddockAsync("sandbox", "pause", id);
            var paused = await live.PaddockAsync("sandbox", "metrics", id, "--json");
            Assert.Equal(0, paused.ExitCode);
            var pausedSample = Assert.Single(JsonDocument.Parse(paused.Stdout).RootElement.EnumerateArray());
            Assert.InRange(pausedSample.GetProperty("diskUsed").GetInt64(), 1, pausedSample.GetProperty("diskTotal").GetInt64());
            Assert.Equal(3, (await live.PaddockAsync("sandbox", "metrics", "nosuchsandbox000000000")).ExitCode);
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }

    [Fact]
    public async Task ListStateKilled_ShowsEndedSandboxes_WithTheReason()
    {
        var id = await CreateAsync("--metadata", "list=killed");
        Assert.Equal(0, (await live.PaddockAsync("sandbox", "kill", id)).ExitCode);

        var json = await live.PaddockAsync("sandbox", "list", "--state", "killed", "--metadata", "list=killed", "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        var killed = Assert.Single(JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray(), s => s.GetProperty("sandboxId").GetString() == id);
        Assert.Equal("killed", killed.GetProperty("state").GetString());
        Assert.False(string.IsNullOrEmpty(killed.GetProperty("killReason").GetString()));

        var table = await live.PaddockAsync("sandbox", "list", "--state", "killed");
        Assert.Contains(id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("killed", table.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(id, (await live.PaddockAsync("sandbox", "list")).Stdout, StringComparison.Ordinal);
    }

    private async Task<string> CreateAsync(params string[] options)
    {
        var created = await live.PaddockAsync(["sandbox", "create", .. options]);
        Assert.True(created.ExitCode == 0, created.Stderr);
        return created.Stdout.Trim();
    }

    private async Task<string> EndAtAsync(string id) =>
        JsonDocument.Parse((await live.PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement.GetProperty("endAt").GetString()!;
}
