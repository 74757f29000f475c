using System.Diagnostics;
using Paddock.Testing;

namespace Paddock.Client.Tests;

/// <summary>
/// What a caller hears when its sandbox is killed, paused or times out while a command or an execution runs: a typed
/// exception within a second of the event, never a raw network error and never a hang; and a cancelled run leaves
/// no process behind.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class MidCommandFailureTests(LiveServer live)
{
    private static readonly TimeSpan s_promptly = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Killed_DuringACommand_IsSandboxNotFound_AtOnce()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        var run = sandbox.Commands.RunAsync("sleep 30", new CommandOptions { Timeout = TimeSpan.FromSeconds(20) });
        await WaitForProcessAsync(sandbox, "sleep 30");
        var at = Stopwatch.StartNew();
        await sandbox.KillAsync();
        var error = await Assert.ThrowsAsync<SandboxNotFoundException>(() => run);
        Assert.InRange(at.Elapsed, TimeSpan.Zero, s_promptly);
        Assert.Contains("killed by request", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TimedOut_DuringACommand_IsSandboxTimeout_AtOnce()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        var run = sandbox.Commands.RunAsync("sleep 30", new CommandOptions { Timeout = TimeSpan.FromSeconds(20) });
        await WaitForProcessAsync(sandbox, "sleep 30");
        await sandbox.SetTimeoutAsync(TimeSpan.FromSeconds(1));
        var at = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SandboxTimeoutException>(() => run);
        Assert.InRange(at.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1) + s_promptly);
        Assert.Equal("sandbox_killed_timeout", error.Code);
    }

    [Fact]
    public async Task Paused_DuringACommandOrAnExecution_IsSandboxPaused_AtOnce_AndStaysPaused()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        var run = sandbox.Commands.RunAsync("sleep 5", new CommandOptions { Timeout = TimeSpan.FromSeconds(10) });
        await WaitForProcessAsync(sandbox, "sleep 5");
        var at = Stopwatch.StartNew();
        Assert.True(await sandbox.PauseAsync());
        await Assert.ThrowsAsync<SandboxPausedException>(() => run);
        Assert.InRange(at.Elapsed, TimeSpan.Zero, s_promptly);
        Assert.Equal(SandboxState.Paused, (await sandbox.GetInfoAsync()).State);

        // A command on the paused sandbox says so too, and resuming makes it work again.
        await Assert.ThrowsAsync<SandboxPausedException>(() => sandbox.Commands.RunAsync("true"));
        await Sandbox.ConnectAsync(sandbox.SandboxId, connection: live.Connection);
        await sandbox.RunCodeAsync("1");
        var code = sandbox.RunCodeAsync("import time; time.sleep(5)", new RunCodeOptions { Timeout = TimeSpan.FromSeconds(10) });
        await Task.Delay(500);
        at.Restart();
        Assert.True(await sandbox.PauseAsync());
        await Assert.ThrowsAsync<SandboxPausedException>(() => code);
        Assert.InRange(at.Elapsed, TimeSpan.Zero, s_promptly);
    }

    [Fact]
    public async Task Killed_DuringAnExecution_IsSandboxNotFound_AtOnce()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        await sandbox.RunCodeAsync("1");
        var code = sandbox.RunCodeAsync("import time; time.sleep(20)");
        await Task.Delay(500);
        var at = Stopwatch.StartNew();
        await sandbox.KillAsync();
        await Assert.ThrowsAsync<SandboxNotFoundException>(() => code);
        Assert.InRange(at.Elapsed, TimeSpan.Zero, s_promptly);
    }

    [Fact]
    public async Task CancellingARun_KillsTheCommand()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        using var cancel = new CancellationTokenSource();
        var run = sandbox.Commands.RunAsync("sleep 31", cancellationToken: cancel.Token);
        await WaitForProcessAsync(sandbox, "sleep 31");
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.DoesNotContain(await sandbox.Commands.ListAsync(), p => p.Args.Any(a => a.Contains("sleep 31", StringComparison.Ordinal)));
        Assert.Equal(string.Empty, (await sandbox.Commands.RunAsync("pgrep -x sleep || true")).Stdout);
    }

    private static Task WaitForProcessAsync(Sandbox sandbox, string command) => Eventually.TrueAsync(
        async () => (await sandbox.Commands.ListAsync()).Any(p => p.Args.Any(a => a.Contains(command, StringComparison.Ordinal))),
        $"'{command}' to run");
}
