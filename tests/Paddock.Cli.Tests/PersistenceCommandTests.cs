using System.Text.Json;
using Paddock.Testing;

namespace Paddock.Cli.Tests;

/// <summary>
/// What outlives a sandbox, from the terminal: <c>sandbox pause --to-disk</c>, create's <c>--auto-pause-to-disk</c>
/// and <c>--auto-resume</c>, <c>snapshot create|list|delete</c> and <c>sandbox fork</c>.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class PersistenceCommandTests(CliServer live)
{
    [Fact]
    public async Task PauseToDisk_SaysSo_InTheListAndInfo_AndResumeBootsItWithItsFiles()
    {
        var id = await CreateAsync();
        try
        {
            Assert.Equal(0, (await live.PaddockAsync("sandbox", "exec", id, "--", "sh", "-c", "echo kept > /home/user/kept.txt")).ExitCode);
            var paused = await live.PaddockAsync("sandbox", "pause", id, "--to-disk");
            Assert.True(paused.ExitCode == 0, paused.Stderr);
            Assert.Equal($"sandbox {id} paused on disk (its files kept; a resume boots it afresh)\n", paused.Stdout);
            Assert.Equal($"sandbox {id} was already paused\n", (await live.PaddockAsync("sandbox", "pause", id, "--to-disk")).Stdout);

            var info = JsonDocument.Parse((await live.PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement;
            Assert.Equal(("paused", "filesystem"), (info.GetProperty("state").GetString(), info.GetProperty("pausedAs").GetString()));
            Assert.Contains("paused (on disk)", (await live.PaddockAsync("sandbox", "list")).Stdout, StringComparison.Ordinal);
            Assert.Contains("paused (on disk)", (await live.PaddockAsync("sandbox", "info", id)).Stdout, StringComparison.Ordinal);

            Assert.Equal(0, (await live.PaddockAsync("sandbox", "resume", id)).ExitCode);
            Assert.Equal("kept\n", (await live.PaddockAsync("sandbox", "exec", id, "--", "cat", "/home/user/kept.txt")).Stdout);
            Assert.False(JsonDocument.Parse((await live.PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement.TryGetProperty("pausedAs", out _));

            // The plain pause keeps the memory, and says nothing of disk.
            Assert.Equal($"sandbox {id} paused\n", (await live.PaddockAsync("sandbox", "pause", id)).Stdout);
            var frozen = JsonDocument.Parse((await live.PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement;
            Assert.Equal("memory", frozen.GetProperty("pausedAs").GetString());
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }
    }

    [Fact]
    public async Task Create_AutoPauseToDisk_PausesOnDiskAtItsTimeout_AndTheFlagsNeedAutoPause()
    {
        var id = await CreateAsync("--timeout", "2", "--auto-pause", "--auto-pause-to-disk");
        try
        {
            await Eventually.TrueAsync(
                async () => JsonDocument.Parse((await live.PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement.GetProperty("state").GetString() == "paused",
                "the auto-pause",
                TimeSpan.FromSeconds(20));
            Assert.Equal("filesystem", JsonDocument.Parse((await live.PaddockAsync("sandbox", "info", id, "--json")).Stdout).RootElement.GetProperty("pausedAs").GetString());
        }
        finally
        {
            await live.PaddockAsync("sandbox", "kill", id);
        }

        var alone = await live.PaddockAsync("sandbox", "create", "--auto-resume");
        Assert.Equal(2, alone.ExitCode);
        Assert.Contains("go with --auto-pause", alone.Stderr, StringComparison.Ordinal);

        // The server refuses a files-only auto-pause that traffic would wake, in E2B's words.
        var both = await live.PaddockAsync("sandbox", "create", "--auto-pause", "--auto-pause-to-disk", "--auto-resume");
        Assert.NotEqual(0, both.ExitCode);
        Assert.Contains("cannot be combined with autoResume", both.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Snapshots_CreateListDelete_AndSandboxesStartFromThem()
    {
        var source = await CreateAsync();
        var name = "cli-snap-" + Guid.NewGuid().ToString("N")[..8];
        string? child = null;
        string? unnamedId = null;
        try
        {
            Assert.Equal(0, (await live.PaddockAsync("sandbox", "exec", source, "--", "sh", "-c", "echo snapped > /home/user/s.txt")).ExitCode);
            var created = await live.PaddockAsync("snapshot", "create", source, "--name", name);
            Assert.True(created.ExitCode == 0, created.Stderr);
            Assert.Equal($"{name}:default\n", created.Stdout);
            var unnamed = await live.PaddockAsync("snapshot", "create", source, "--json");
            unnamedId = JsonDocument.Parse(unnamed.Stdout).RootElement.GetProperty("snapshotId").GetString()!;
            Assert.Matches("^[a-z0-9]{20}:default$", unnamedId);

            var listed = JsonDocument.Parse((await live.PaddockAsync("snapshot", "list", "--sandbox", source, "--json")).Stdout).RootElement.EnumerateArray().ToList();
            Assert.Equal([unnamedId, $"{name}:default"], listed.Select(s => s.GetProperty("snapshotId").GetString()));
            Assert.All(listed, s => Assert.True(s.GetProperty("sizeBytes").GetInt64() > 0));
            var byName = JsonDocument.Parse((await live.PaddockAsync("snapshot", "list", "--name", name, "--json")).Stdout).RootElement;
            Assert.Equal(name, Assert.Single(byName.EnumerateArray()).GetProperty("names")[0].GetString());
            Assert.Contains(name, (await live.PaddockAsync("snapshot", "ls")).Stdout, StringComparison.Ordinal);

            child = await CreateAsync("--template", name);
            Assert.Equal("snapped\n", (await live.PaddockAsync("sandbox", "exec", child, "--", "cat", "/home/user/s.txt")).Stdout);
            var refused = await live.PaddockAsync("snapshot", "delete", name);
            Assert.Equal(2, refused.ExitCode);
            Assert.Contains("running sandboxes using it", refused.Stderr, StringComparison.Ordinal);

            await live.PaddockAsync("sandbox", "kill", child);
            child = null;
            Assert.Equal($"snapshot {name} deleted\n", (await live.PaddockAsync("snapshot", "delete", name)).Stdout);
            Assert.Equal(3, (await live.PaddockAsync("snapshot", "delete", name)).ExitCode);
            Assert.Equal(0, (await live.PaddockAsync("snapshot", "rm", unnamedId)).ExitCode);
            Assert.Equal("[]\n", (await live.PaddockAsync("snapshot", "list", "--sandbox", source, "--json")).Stdout);
        }
        finally
        {
            if (child is not null)
            {
                await live.PaddockAsync("sandbox", "kill", child);
            }

            await live.PaddockAsync("sandbox", "kill", source);
            await live.PaddockAsync("snapshot", "delete", name);
            if (unnamedId is not null)
            {
                await live.PaddockAsync("snapshot", "delete", unnamedId);
            }
        }
    }

    [Fact]
    public async Task Fork_PrintsTheNewSandboxes_WhichHaveTheFiles()
    {
        var parent = await CreateAsync("--metadata", "role=parent");
        var forks = new List<string>();
        try
        {
            Assert.Equal(0, (await live.PaddockAsync("sandbox", "exec", parent, "--", "sh", "-c", "echo from-parent > /home/user/p.txt")).ExitCode);
            var forked = await live.PaddockAsync("sandbox", "fork", parent, "--count", "2", "--timeout", "120");
            Assert.True(forked.ExitCode == 0, forked.Stderr);
            forks.AddRange(forked.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Equal(2, forks.Count);
            Assert.Equal(3, forks.Append(parent).Distinct().Count());
            foreach (var fork in forks)
            {
                Assert.Equal("from-parent\n", (await live.PaddockAsync("sandbox", "exec", fork, "--", "cat", "/home/user/p.txt")).Stdout);
            }

            var tooMany = await live.PaddockAsync("sandbox", "fork", parent, "--count", "0");
            Assert.Equal(2, tooMany.ExitCode);
            Assert.Contains("--count must be from 1 to 100", tooMany.Stderr, StringComparison.Ordinal);
            Assert.Equal(3, (await live.PaddockAsync("sandbox", "fork", "inosuchsandbox0000000")).ExitCode);
        }
        finally
        {
            foreach (var id in forks.Append(parent))
            {
                await live.PaddockAsync("sandbox", "kill", id);
            }
        }
    }

    private async Task<string> CreateAsync(params string[] options)
    {
        var created = await live.PaddockAsync(["sandbox", "create", .. options]);
        Assert.True(created.ExitCode == 0, created.Stderr);
        return created.Stdout.Trim();
    }
}
