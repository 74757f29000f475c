using Paddock.Testing;

namespace Paddock.Client.Tests;

/// <summary>
/// <c>GetLogsAsync</c> and <c>GetMetricsAsync</c> against a real sandbox: the agent's process events and the
/// platform's lifecycle events; the cgroup's CPU, memory and disk.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class ObservabilityTests(LiveServer live)
{
    [Fact]
    public async Task Metrics_AreOneCurrentSample_WhileRunning_AndWhilePaused()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        // 64 MiB held by a process: the sample must see it.
        var holder = await sandbox.Commands.StartAsync("python3 -c 'x = bytearray(64 * 1024 * 1024); print(1, flush=True); import time; time.sleep(60)'");
        await Eventually.TrueAsync(() => holder.Stdout.Length > 0, "the process to hold its 64 MiB");

        var sample = Assert.Single(await sandbox.GetMetricsAsync());
        Assert.InRange(sample.Timestamp, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(2, sample.CpuCount);
        Assert.Equal(512L * 1024 * 1024, sample.MemTotal);
        Assert.InRange(sample.MemUsed, 64L * 1024 * 1024, sample.MemTotal);
        Assert.InRange(sample.DiskUsed, 1, sample.DiskTotal);
        Assert.Empty(await sandbox.GetMetricsAsync(start: DateTimeOffset.UtcNow.AddHours(1)));

        // Frozen, it uses no CPU and still holds its memory and its disk.
        Assert.True(await sandbox.PauseAsync());
        var frozen = Assert.Single(await Sandbox.GetMetricsAsync(sandbox.SandboxId, connection: live.Connection));
        Assert.InRange(frozen.CpuUsedPct, 0, 1);
        Assert.InRange(frozen.MemUsed, 64L * 1024 * 1024, frozen.MemTotal);
        Assert.InRange(frozen.DiskUsed, 1, frozen.DiskTotal);

        // On disk, it holds no memory, only its disk.
        await Sandbox.ConnectAsync(sandbox.SandboxId, connection: live.Connection);
        Assert.True(await sandbox.PauseAsync(keepMemory: false));
        var onDisk = Assert.Single(await sandbox.GetMetricsAsync());
        Assert.Equal((0d, 0L), (onDisk.CpuUsedPct, onDisk.MemUsed));
        Assert.Equal(sample.DiskTotal, onDisk.DiskTotal);
        Assert.InRange(onDisk.DiskUsed, 1, onDisk.DiskTotal);
    }

    [Fact]
    public async Task Logs_ShowProcessesAndLifecycle_FilterAndPage_AndOutliveTheSandbox()
    {
        var sandbox = await Sandbox.CreateAsync(live.Options());
        await sandbox.Commands.RunAsync("echo logged-command");
        await Assert.ThrowsAsync<CommandExitException>(() => sandbox.Commands.RunAsync("exit 7"));
        await sandbox.SetTimeoutAsync(TimeSpan.FromMinutes(2));

        var log = await sandbox.GetLogsAsync();
        var started = Assert.Single(log, e => e.Message == "Process started" && e.Fields["cmd"].Contains("echo logged-command", StringComparison.Ordinal));
        Assert.Equal(("agent", "user", SandboxLogLevel.Info), (started.Fields["source"], started.Fields["user"], started.Level));
        var exited = Assert.Single(log, e => e.Message == "Process exited" && e.Fields["pid"] == started.Fields["pid"]);
        Assert.Equal("exit status 0", exited.Fields["status"]);
        Assert.True(exited.Timestamp >= started.Timestamp);
        Assert.Contains(log, e => e.Message == "Process exited" && e.Fields["status"] == "exit status 7");
        Assert.Contains(log, e => e.Message.StartsWith("Timeout set: ", StringComparison.Ordinal) && e.Fields["source"] == "paddock");

        var search = await sandbox.GetLogsAsync(new SandboxLogQuery { Search = "logged-command" });
        Assert.Equal("Process started", Assert.Single(search).Message);
        var afterStart = await sandbox.GetLogsAsync(new SandboxLogQuery { Cursor = exited.Timestamp, Limit = 2 });
        Assert.Equal(2, afterStart.Count);
        Assert.All(afterStart, e => Assert.True(e.Timestamp >= exited.Timestamp.AddMilliseconds(-1)));

        Assert.True(await sandbox.KillAsync());
        var newest = await Sandbox.GetLogsAsync(sandbox.SandboxId, new SandboxLogQuery { Backward = true, Limit = 1 }, live.Connection);
        Assert.Equal("Sandbox killed: killed by request", Assert.Single(newest).Message);
        Assert.Empty(await Sandbox.GetLogsAsync(sandbox.SandboxId, new SandboxLogQuery { MinLevel = SandboxLogLevel.Error }, live.Connection));
    }

    [Fact]
    public async Task Logs_OfAnUnknownSandbox_AreNotFound_AndABadQueryIsInvalid()
    {
        await Assert.ThrowsAsync<SandboxNotFoundException>(() => Sandbox.GetLogsAsync("inosuchsandbox000000000", connection: live.Connection));
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        await Assert.ThrowsAsync<InvalidArgumentException>(() => sandbox.GetLogsAsync(new SandboxLogQuery { Limit = 5000 }));
    }
}
