using Paddock.Testing;

namespace Paddock.Client.Tests;

/// <summary>
/// What a sandbox can outlive, through the SDK against a real server: a pause that keeps its memory or its files
/// only, auto-pause of either kind, autoResume, snapshots that new sandboxes start from, and forks.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class PersistenceTests(LiveServer live)
{
    [Fact]
    public async Task PauseWithoutMemory_KeepsTheFiles_SaysSo_AndConnectBootsItAfresh()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        await sandbox.Files.WriteAsync("/home/user/kept.txt", "on disk");
        var sleeper = await sandbox.Commands.StartAsync("sleep 3600");

        Assert.True(await sandbox.PauseAsync(keepMemory: false));
        var info = await sandbox.GetInfoAsync();
        Assert.Equal((SandboxState.Paused, SandboxPauseKind.Filesystem), (info.State, info.PausedAs));
        Assert.Equal(10240, info.DiskSizeMB);
        Assert.False(await sandbox.PauseAsync(keepMemory: false));

        var resumed = await Sandbox.ConnectAsync(sandbox.SandboxId, connection: live.Connection);
        Assert.Equal("on disk", await resumed.Files.ReadAsync("/home/user/kept.txt"));
        Assert.DoesNotContain((await resumed.Commands.ListAsync()), p => p.Pid == sleeper.Pid);
        var running = await resumed.GetInfoAsync();
        Assert.Equal((SandboxState.Running, null), (running.State, running.PausedAs));

        // The default pause keeps the memory: the process is still there after the resume.
        var kept = await resumed.Commands.StartAsync("sleep 3600");
        Assert.True(await Sandbox.PauseAsync(sandbox.SandboxId, keepMemory: true, live.Connection));
        Assert.Equal(SandboxPauseKind.Memory, (await sandbox.GetInfoAsync()).PausedAs);
        resumed = await Sandbox.ConnectAsync(sandbox.SandboxId, connection: live.Connection);
        Assert.Contains(await resumed.Commands.ListAsync(), p => p.Pid == kept.Pid);
    }

    [Fact]
    public async Task AutoPauseWithoutMemory_PausesOnDisk_WhenTheTimeoutPasses()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options(TimeSpan.FromSeconds(2)) with { AutoPause = true, AutoPauseMemory = false });
        await Eventually.TrueAsync(async () => (await sandbox.GetInfoAsync()).State == SandboxState.Paused, "the auto-pause", TimeSpan.FromSeconds(20));
        Assert.Equal(SandboxPauseKind.Filesystem, (await sandbox.GetInfoAsync()).PausedAs);

        // The server refuses what E2B refuses: a files-only pause cannot be woken by traffic.
        var refused = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            Sandbox.CreateAsync(live.Options() with { AutoPause = true, AutoPauseMemory = false, AutoResume = true }));
        Assert.Contains("cannot be combined with autoResume", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AutoResume_WakesAPausedSandbox_WhenItsOwnHandleReachesIt()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options() with { AutoPause = true, AutoResume = true });
        await sandbox.Files.WriteAsync("/home/user/note.txt", "woken");
        Assert.True(await sandbox.PauseAsync());
        Assert.Equal(SandboxState.Paused, (await sandbox.GetInfoAsync()).State);

        Assert.Equal("woken", await sandbox.Files.ReadAsync("/home/user/note.txt"));
        Assert.Equal(SandboxState.Running, (await sandbox.GetInfoAsync()).State);

        // Without autoResume the paused sandbox stays paused and says so.
        await using var plain = await Sandbox.CreateAsync(live.Options());
        Assert.True(await plain.PauseAsync());
        await Assert.ThrowsAsync<SandboxPausedException>(() => plain.Files.ReadAsync("/etc/hostname"));
    }

    [Fact]
    public async Task Snapshots_AreCreatedListedByPage_NewSandboxesStartFromThem_AndDeleted()
    {
        await using var source = await Sandbox.CreateAsync(live.Options());
        await source.Files.WriteAsync("/home/user/snap.txt", "from the snapshot");
        var unnamed = await source.CreateSnapshotAsync();
        var name = "sdk-snap-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            Assert.Matches("^[a-z0-9]{20}:default$", unnamed.SnapshotId);
            Assert.Empty(unnamed.Names);
            var named = await Sandbox.CreateSnapshotAsync(source.SandboxId, name, live.Connection);
            Assert.Equal($"{name}:default", named.SnapshotId);
            Assert.Equal([name], named.Names);
            Assert.Equal(source.SandboxId, named.SandboxId);

            // A page at a time: one per page, newest first, then no more.
            var pages = source.ListSnapshots(new SnapshotQuery { Limit = 1 });
            var first = Assert.Single(await pages.NextItemsAsync());
            Assert.True(pages.HasNext);
            var second = Assert.Single(await pages.NextItemsAsync());
            Assert.Equal([named.SnapshotId, unnamed.SnapshotId], [first.SnapshotId, second.SnapshotId]);
            Assert.Equal(source.SandboxId, first.SandboxId);
            Assert.True(first.SizeBytes > 0 && first.CreatedAt is not null);
            if (pages.HasNext)
            {
                Assert.Empty(await pages.NextItemsAsync());
            }

            var byName = new List<SnapshotInfo>();
            await foreach (var snapshot in Sandbox.ListSnapshots(new SnapshotQuery { Name = name }, live.Connection))
            {
                byName.Add(snapshot);
            }

            Assert.Equal(named.SnapshotId, Assert.Single(byName).SnapshotId);

            await using (var child = await Sandbox.CreateAsync(live.Options() with { Template = name }))
            {
                Assert.Equal("from the snapshot", await child.Files.ReadAsync("/home/user/snap.txt"));
                var refused = await Assert.ThrowsAsync<InvalidArgumentException>(() => Sandbox.DeleteSnapshotAsync(named.SnapshotId, live.Connection));
                Assert.Contains("running sandboxes using it", refused.Message, StringComparison.Ordinal);
            }

            Assert.True(await Sandbox.DeleteSnapshotAsync(name, live.Connection));
            Assert.False(await Sandbox.DeleteSnapshotAsync(name, live.Connection));
            Assert.True(await Sandbox.DeleteSnapshotAsync(unnamed.SnapshotId, live.Connection));
            Assert.Empty(await source.ListSnapshots().NextItemsAsync());
        }
        finally
        {
            // A failed run leaves no snapshot on the shared server (its volume could not be unmounted with one).
            await Sandbox.DeleteSnapshotAsync(unnamed.SnapshotId, live.Connection);
            await Sandbox.DeleteSnapshotAsync(name, live.Connection);
        }
    }

    [Fact]
    public async Task Fork_MakesRunningCopies_WithTheFiles_AndTokensOfTheirOwn()
    {
        await using var parent = await Sandbox.CreateAsync(live.Options(metadata: new Dictionary<string, string> { ["role"] = "parent" }));
        await parent.Files.WriteAsync("/home/user/parent.txt", "inherited");

        var forks = await parent.ForkAsync(count: 2, timeout: TimeSpan.FromMinutes(2));
        try
        {
            Assert.Equal(2, forks.Count);
            Assert.Equal(3, new[] { parent.SandboxId, forks[0].SandboxId, forks[1].SandboxId }.Distinct().Count());
            Assert.Equal(3, new[] { parent.AccessToken, forks[0].AccessToken, forks[1].AccessToken }.Distinct().Count());
            foreach (var fork in forks)
            {
                Assert.Equal("inherited", await fork.Files.ReadAsync("/home/user/parent.txt"));
                var info = await fork.GetInfoAsync();
                Assert.Equal((SandboxState.Running, "parent"), (info.State, info.Metadata["role"]));
                Assert.InRange((info.EndAt - info.StartedAt).TotalSeconds, 119, 121);
            }

            await forks[0].Files.WriteAsync("/home/user/parent.txt", "changed in fork 0");
            Assert.Equal("inherited", await forks[1].Files.ReadAsync("/home/user/parent.txt"));
            Assert.Equal("inherited", await parent.Files.ReadAsync("/home/user/parent.txt"));
        }
        finally
        {
            foreach (var fork in forks)
            {
                await fork.KillAsync();
            }
        }

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => parent.ForkAsync(count: 0));
        await parent.KillAsync();
        await Assert.ThrowsAsync<SandboxNotFoundException>(() => Sandbox.ForkAsync(parent.SandboxId, connection: live.Connection));
    }
}
