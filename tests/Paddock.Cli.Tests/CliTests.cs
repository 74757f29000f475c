using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Cli.Tests;

/// <summary>One real server for the CLI tests.</summary>
public sealed class CliServer : IAsyncLifetime
{
    internal ServerProcess Server { get; } = new();

    public async Task InitializeAsync()
    {
        await Server.StartAsync();
        using var api = Server.Client();
        await api.DeleteAsync($"/sandboxes/{await api.CreateAsync()}");
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>Each command of <c>paddock sandbox</c>, run as a process: its output and its exit code.</summary>
public sealed class CliTests(CliServer live) : IClassFixture<CliServer>
{
    private async Task<(int ExitCode, string Stdout, string Stderr)> PaddockAsync(params string[] args) =>
        await PaddockWithKeyAsync(ServerProcess.ApiKey, args);

    private Task<(int ExitCode, string Stdout, string Stderr)> PaddockWithKeyAsync(string key, params string[] args) =>
        PaddockWithKeyAsync(key, seen: null, args);

    // With `seen`, each line of stdout is added to it as it comes, for a test that acts on what the CLI has printed so far.
    private async Task<(int ExitCode, string Stdout, string Stderr)> PaddockWithKeyAsync(string key, List<string>? seen, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "paddock.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PADDOCK_API_URL"] = live.Server.BaseAddress.ToString();
        info.Environment["PADDOCK_API_KEY"] = key;
        using var process = Process.Start(info)!;
        var stdout = seen is null ? process.StandardOutput.ReadToEndAsync() : ReadLinesAsync(process.StandardOutput, seen);
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout, await stderr);
    }

    private static async Task<string> ReadLinesAsync(StreamReader reader, List<string> seen)
    {
        var all = new StringBuilder();
        while (await reader.ReadLineAsync() is { } line)
        {
            all.Append(line).Append('\n');
            lock (seen)
            {
                seen.Add(line);
            }
        }

        return all.ToString();
    }

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
        var following = PaddockWithKeyAsync(ServerProcess.ApiKey, printed, "sandbox", "logs", id, "--follow", "--tail", "1", "--json");
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
        Assert.NotEqual(0, (await PaddockAsync("sandbox", "logs", id, "--level", "loud")).ExitCode);
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
        Assert.Equal(4, (await PaddockWithKeyAsync("e2b_" + new string('1', 40), "sandbox", "list")).ExitCode);
        Assert.NotEqual(0, (await PaddockAsync("sandbox", "list", "--state", "sleeping")).ExitCode);
        Assert.Equal(2, (await PaddockAsync("sandbox", "create", "--template", "base", "--metadata", "no-equals-sign")).ExitCode);
    }

    [Fact]
    public async Task Connect_InTmux_TypesACommand_AndReadsItsOutput()
    {
        Assert.True(File.Exists("/usr/bin/tmux"), "tmux is required for this test (scripts/prerequisites.sh installs it)");
        var id = (await PaddockAsync("sandbox", "create")).Stdout.Trim();
        var session = "paddock-" + id;
        try
        {
            var command = $"PADDOCK_API_URL={live.Server.BaseAddress} PADDOCK_API_KEY={ServerProcess.ApiKey} dotnet {Path.Combine(AppContext.BaseDirectory, "paddock.dll")} sandbox connect {id}; echo shell-exited-$?; sleep 30";
            await TmuxAsync("new-session", "-d", "-s", session, "-x", "120", "-y", "40", command);
            await WaitForScreenAsync(session, ":~$");
            await TmuxAsync("send-keys", "-t", session, "echo hello-$((6*7)) from $(whoami)", "Enter");
            Assert.Contains("hello-42 from user", await WaitForScreenAsync(session, "hello-42 from user"), StringComparison.Ordinal);
            await TmuxAsync("send-keys", "-t", session, "stty size; exit 5", "Enter");
            var screen = await WaitForScreenAsync(session, "shell-exited-");
            Assert.Contains("40 120", screen, StringComparison.Ordinal);
            Assert.Contains("shell-exited-5", screen, StringComparison.Ordinal);
        }
        finally
        {
            await TmuxAsync("kill-session", "-t", session);
            await PaddockAsync("sandbox", "kill", id);
        }
    }

    private static async Task<string> TmuxAsync(params string[] args)
    {
        var (_, output) = await Host.RunAsync("tmux", args);
        return output;
    }

    private static async Task<string> WaitForScreenAsync(string session, string text)
    {
        var screen = string.Empty;
        for (var i = 0; i < 100; i++)
        {
            screen = await TmuxAsync("capture-pane", "-p", "-t", session);
            if (screen.Contains(text, StringComparison.Ordinal))
            {
                return screen;
            }

            await Task.Delay(200);
        }

        throw new Xunit.Sdk.XunitException($"'{text}' did not appear on the screen:\n{screen}");
    }
}
