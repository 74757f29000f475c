using System.Text.Json;
using Paddock.Testing;

namespace Paddock.Cli.Tests;

/// <summary>Each command of <c>paddock sandbox</c>, run as a process: its output and its exit code.</summary>
[Collection(CliCollection.Name)]
public sealed class CliTests(CliServer live)
{
    private Task<CliResult> PaddockAsync(params string[] args) => live.PaddockAsync(args);

    [Fact]
    public async Task Create_List_Info_Timeout_Pause_Resume_Kill()
    {
        var created = await PaddockAsync("sandbox", "create", "--timeout", "120", "--metadata", "owner=cli", "--json");
        Assert.True(created.ExitCode == 0, created.Stderr);
        var id = JsonDocument.Parse(created.Stdout).RootElement.GetProperty("sandboxId").GetString()!;

        var list = await PaddockAsync("sandbox", "list", "--state", "running", "--json");
        Assert.Equal(0, list.ExitCode);
        Assert.Contains(JsonDocument.Parse(list.Stdout).RootElement.EnumerateArray(), s => s.GetProperty("sandboxId").GetString() == id);

        var table = await PaddockAsync("sandbox", "list");
        Assert.Contains(id, table.Stdout, StringComparison.Ordinal);
        Assert.Contains("owner=cli", table.Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await PaddockAsync("sandbox", "timeout", id, "600")).ExitCode);
        var info = JsonDocument.Parse((await PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement;
        var left = DateTimeOffset.Parse(info.GetProperty("endAt").GetString()!, System.Globalization.CultureInfo.InvariantCulture) - DateTimeOffset.UtcNow;
        Assert.InRange(left.TotalSeconds, 590, 601);

        Assert.Equal(0, (await PaddockAsync("sandbox", "pause", id)).ExitCode);
        Assert.Equal("paused", JsonDocument.Parse((await PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement.GetProperty("state").GetString());
        Assert.Equal(0, (await PaddockAsync("sandbox", "resume", id)).ExitCode);
        Assert.Contains("running", (await PaddockAsync("sandbox", "info", id)).Stdout, StringComparison.Ordinal);

        Assert.Equal(0, (await PaddockAsync("sandbox", "kill", id)).ExitCode);
        var again = await PaddockAsync("sandbox", "kill", id);
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("not found", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(3, (await PaddockAsync("sandbox", "info", id)).ExitCode);
    }

    [Fact]
    public async Task Exec_StreamsOutput_AndReturnsTheCommandsExitCode_Files_RoundTrip()
    {
        var id = (await PaddockAsync("sandbox", "create")).Stdout.Trim();
        try
        {
            var exec = await PaddockAsync("sandbox", "exec", id, "--", "sh", "-c", "echo out; echo err >&2; exit 7");
            Assert.Equal(7, exec.ExitCode);
            Assert.Equal("out\n", exec.Stdout);
            Assert.Equal("err\n", exec.Stderr);
            Assert.Equal("user\n", (await PaddockAsync("sandbox", "exec", id, "--", "whoami")).Stdout);

            var local = Path.GetTempFileName();
            await File.WriteAllTextAsync(local, "from the host");
            Assert.Equal("/home/user/up/loaded.txt\n", (await PaddockAsync("sandbox", "files", "put", id, local, "up/loaded.txt")).Stdout);
            Assert.Equal("from the host", (await PaddockAsync("sandbox", "files", "cat", id, "up/loaded.txt")).Stdout);
            Assert.Contains("/home/user/up/loaded.txt", (await PaddockAsync("sandbox", "files", "ls", id, "up")).Stdout, StringComparison.Ordinal);
            var back = local + ".back";
            Assert.Equal(0, (await PaddockAsync("sandbox", "files", "get", id, "up/loaded.txt", back)).ExitCode);
            Assert.Equal("from the host", await File.ReadAllTextAsync(back));
            Assert.Equal(3, (await PaddockAsync("sandbox", "files", "cat", id, "missing.txt")).ExitCode);
        }
        finally
        {
            await PaddockAsync("sandbox", "kill", id);
        }
    }

    [Fact]
    public async Task Logs_ShowTheAgentsAndThePlatformsEntries_Tail_Follow_AndSurviveTheKill()
    {
        var id = (await PaddockAsync("sandbox", "create")).Stdout.Trim();
        Assert.Equal(0, (await PaddockAsync("sandbox", "exec", id, "--", "echo", "cli-logged")).ExitCode);

        var json = await PaddockAsync("sandbox", "logs", id, "--json");
        Assert.True(json.ExitCode == 0, json.Stderr);
        var entries = json.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.StartsWith("Sandbox created from template base", entries.First(e => e.GetProperty("fields").GetProperty("source").GetString() == "paddock").GetProperty("message").GetString(), StringComparison.Ordinal);
        var started = Assert.Single(entries, e => e.GetProperty("message").GetString() == "Process started"
            && e.GetProperty("fields").GetProperty("cmd").GetString()!.Contains("cli-logged", StringComparison.Ordinal));
        Assert.Equal("info", started.GetProperty("level").GetString());

        var people = await PaddockAsync("sandbox", "logs", id, "--search", "cli-logged");
        Assert.Contains("INFO", people.Stdout, StringComparison.Ordinal);
        Assert.Contains("Process started", people.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Sandbox created", people.Stdout, StringComparison.Ordinal);

        // Following prints what comes, and ends by itself when the sandbox is killed.
        var printed = new List<string>();
        var following = live.RunAsync(["sandbox", "logs", id, "--follow", "--tail", "1", "--json"], seen: printed);
        await Eventually.TrueAsync(
            () =>
            {
                lock (printed)
                {
                    return printed.Count > 0;
                }
            },
            "the follower to print the last entry");
        Assert.Equal(0, (await PaddockAsync("sandbox", "kill", id)).ExitCode);
        var followed = await following.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(followed.ExitCode == 0, followed.Stderr);
        var lines = followed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Sandbox killed: killed by request", JsonDocument.Parse(lines[^1]).RootElement.GetProperty("message").GetString());
        Assert.Equal(lines.Length, lines.Distinct().Count());

        var tail = await PaddockAsync("sandbox", "logs", id, "--tail", "1");
        Assert.Contains("Sandbox killed: killed by request", tail.Stdout, StringComparison.Ordinal);
        Assert.Equal(3, (await PaddockAsync("sandbox", "logs", "inosuchsandbox00000000")).ExitCode);
        Assert.Equal(2, (await PaddockAsync("sandbox", "logs", id, "--level", "loud")).ExitCode);
    }

    [Fact]
    public async Task TemplateList_ShowsTheBaseTemplate_Ready()
    {
        var json = await PaddockAsync("template", "list", "--json");
        Assert.Equal(0, json.ExitCode);
        var baseTemplate = JsonDocument.Parse(json.Stdout).RootElement.EnumerateArray().Single(t => t.GetProperty("templateId").GetString() == "base");
        Assert.Equal("ready", baseTemplate.GetProperty("buildStatus").GetString());
        Assert.Equal("code-interpreter-v1", baseTemplate.GetProperty("aliases")[0].GetString());
        Assert.Contains("code-interpreter-v1", (await PaddockAsync("template", "list")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ExitCodes_ForABadKey_AndBadArguments()
    {
        Assert.Equal(4, (await live.RunAsync(["sandbox", "list"], key: "e2b_" + new string('1', 40))).ExitCode);
        Assert.Equal(2, (await PaddockAsync("sandbox", "list", "--state", "sleeping")).ExitCode);
        Assert.Equal(2, (await PaddockAsync("sandbox", "create", "--template", "base", "--metadata", "no-equals-sign")).ExitCode);
    }
}
