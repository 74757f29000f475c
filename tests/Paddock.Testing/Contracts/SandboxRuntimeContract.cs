using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Xunit;

namespace Paddock.Testing.Contracts;

/// <summary>
/// What every <see cref="ISandboxRuntime"/> must do, run against each implementation (crun and the test
/// double): a class per runtime derives from this one, makes the runtime, and says how to end a sandbox's
/// init from outside the runtime.
/// </summary>
public abstract class SandboxRuntimeContract : IAsyncLifetime
{
    private readonly List<string> _created = [];

    protected ISandboxRuntime Runtime { get; private set; } = null!;

    /// <summary>A runtime with no sandboxes.</summary>
    protected abstract Task<ISandboxRuntime> CreateRuntimeAsync();

    /// <summary>Releases what <see cref="CreateRuntimeAsync"/> made.</summary>
    protected virtual Task DisposeRuntimeAsync() => Task.CompletedTask;

    /// <summary>Ends a sandbox's init the way a crash or a kill from outside would.</summary>
    protected abstract Task EndInitAsync(string sandboxId);

    public async Task InitializeAsync() => Runtime = await CreateRuntimeAsync();

    public async Task DisposeAsync()
    {
        foreach (var id in _created)
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }

        await DisposeRuntimeAsync();
    }

    [Fact]
    public async Task Create_Pause_Resume_Delete_AreWhatListSays()
    {
        var id = await CreateAsync();
        Assert.Equal(RuntimeSandboxStatus.Running, (await Runtime.ListAsync(default))[id]);
        await Runtime.PauseAsync(id, default);
        Assert.Equal(RuntimeSandboxStatus.Paused, (await Runtime.ListAsync(default))[id]);
        await Runtime.ResumeAsync(id, default);
        Assert.Equal(RuntimeSandboxStatus.Running, (await Runtime.ListAsync(default))[id]);

        // Deleting a paused sandbox works, and deleting again is no error.
        await Runtime.PauseAsync(id, default);
        await Runtime.DeleteAsync(id, default);
        await Runtime.DeleteAsync(id, default);
        Assert.False((await Runtime.ListAsync(default)).ContainsKey(id));
    }

    [Fact]
    public async Task APortNobodyListensOn_IsPortClosed()
    {
        var id = await CreateAsync();
        var closed = await Assert.ThrowsAsync<SandboxPortClosedException>(() => Runtime.ConnectAsync(id, 1, default));
        Assert.Equal((id, 1), (closed.SandboxId, closed.Port));
    }

    [Fact]
    public async Task Usage_IsWithinTheSpecsLimits()
    {
        var id = await CreateAsync();
        var usage = await Runtime.GetUsageAsync(id, default);
        Assert.Equal(1, usage.CpuCount);
        Assert.Equal(256L * 1024 * 1024, usage.MemoryTotalBytes);
        Assert.Equal(1024L * 1024 * 1024, usage.DiskTotalBytes);
        Assert.InRange(usage.MemoryUsedBytes, 1, usage.MemoryTotalBytes);
        Assert.InRange(usage.DiskUsedBytes, 0, usage.DiskTotalBytes);
        Assert.InRange(usage.CpuUsedPercent, 0, 100);
    }

    [Fact]
    public async Task Disk_IsCounted_WhileRunning_Frozen_AndStopped_AndNotOnceDeleted()
    {
        var id = await CreateAsync();
        const long Quota = 1024L * 1024 * 1024;
        var running = await Runtime.GetDiskAsync(id, default);
        Assert.Equal(Quota, running.LimitBytes);
        Assert.InRange(running.UsedBytes, 1, Quota);

        await Runtime.PauseAsync(id, default);
        Assert.Equal(Quota, (await Runtime.GetDiskAsync(id, default)).LimitBytes);
        await Runtime.StopAsync(id, default);
        var stopped = await Runtime.GetDiskAsync(id, default);
        Assert.Equal(Quota, stopped.LimitBytes);
        Assert.InRange(stopped.UsedBytes, 1, Quota);

        await Runtime.DeleteAsync(id, default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => Runtime.GetDiskAsync(id, default));
    }

    [Fact]
    public async Task AnInitThatEnds_IsReported_AndTheSandboxCanThenBeDeleted()
    {
        var id = await CreateAsync();
        using var watching = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var exits = Runtime.WatchExitsAsync(watching.Token).GetAsyncEnumerator(watching.Token);
        await EndInitAsync(id);

        Assert.True(await exits.MoveNextAsync());
        Assert.Equal((id, KillReason.AgentExited), (exits.Current.SandboxId, exits.Current.Reason));
        await exits.DisposeAsync();
        await Runtime.DeleteAsync(id, default);
        Assert.False((await Runtime.ListAsync(default)).ContainsKey(id));
    }

    [Fact]
    public async Task Stop_KeepsOnlyTheLayer_Start_BootsItAgain_AndDeleteRemovesAll()
    {
        var id = await CreateAsync();
        await Runtime.StopAsync(id, default);
        Assert.Equal(RuntimeSandboxStatus.FilesOnly, (await Runtime.ListAsync(default))[id]);
        await Runtime.StopAsync(id, default);
        await Assert.ThrowsAnyAsync<Exception>(() => Runtime.ConnectAsync(id, ISandboxRuntime.AgentPort, default));

        await Runtime.StartAsync(new SandboxSpec { SandboxId = id, TemplateId = "base", CpuCount = 1, MemoryMB = 256, DiskSizeMB = 1024 }, default);
        Assert.Equal(RuntimeSandboxStatus.Running, (await Runtime.ListAsync(default))[id]);

        // A frozen sandbox can be stopped too (its memory given back).
        await Runtime.PauseAsync(id, default);
        await Runtime.StopAsync(id, default);
        Assert.Equal(RuntimeSandboxStatus.FilesOnly, (await Runtime.ListAsync(default))[id]);
        await Runtime.DeleteAsync(id, default);
        Assert.False((await Runtime.ListAsync(default)).ContainsKey(id));
        await Assert.ThrowsAsync<InvalidOperationException>(() => Runtime.StopAsync(id, default));
    }

    [Fact]
    public async Task Snapshot_IsListed_AndDeleted()
    {
        var id = await CreateAsync();
        var snapshot = new Core.Snapshots.SnapshotRecord
        {
            Id = "contract" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture) + ":default",
            SandboxId = id,
            TemplateId = "base",
            CreatedAt = DateTimeOffset.UtcNow,
        };
        await Runtime.SnapshotAsync(snapshot, freeze: true, default);
        Assert.Contains(await Runtime.ListSnapshotsAsync(default), s => s.Id == snapshot.Id && s.SandboxId == id);
        Assert.Equal(RuntimeSandboxStatus.Running, (await Runtime.ListAsync(default))[id]);
        await Runtime.DeleteSnapshotAsync(snapshot.Id, default);
        await Runtime.DeleteSnapshotAsync(snapshot.Id, default);
        Assert.DoesNotContain(await Runtime.ListSnapshotsAsync(default), s => s.Id == snapshot.Id);
    }

    [Fact]
    public async Task TheLog_OfASandboxItNeverHad_IsEmpty()
    {
        var entries = new List<Core.Logs.SandboxLogEntry>();
        await foreach (var entry in Runtime.ReadLogAsync("inever", default))
        {
            entries.Add(entry);
        }

        Assert.Empty(entries);
    }

    private async Task<string> CreateAsync()
    {
        var id = "icontract" + Random.Shared.Next(100_000, 999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        _created.Add(id);
        await Runtime.CreateAsync(new SandboxSpec { SandboxId = id, TemplateId = "base", CpuCount = 1, MemoryMB = 256, DiskSizeMB = 1024 }, default);
        return id;
    }
}
