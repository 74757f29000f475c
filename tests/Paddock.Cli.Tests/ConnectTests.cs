using System.Text.RegularExpressions;
using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Cli.Tests;

/// <summary>
/// <c>paddock sandbox connect</c> in a real terminal (tmux): it must behave like ssh. The script around the CLI
/// prints its exit code and whether the terminal's modes are as they were before, after it ends.
/// </summary>
[Collection(CliCollection.Name)]
public sealed class ConnectTests(CliServer live)
{
    private const string Prompt = ":~$";

    [Fact]
    public async Task Connect_EchoesOnce_CompletesOnTab_FollowsResizes_AndCtrlDExitsWithTheShellsCode()
    {
        await using var session = await ConnectAsync();
        await session.Tmux.WaitForAsync(Prompt);

        await session.Tmux.SendAsync("echo once-$((2+3))", "Enter");
        var screen = await session.Tmux.WaitForAsync("once-5\n");
        Assert.Single(Regex.Matches(screen, Regex.Escape("echo once-")));
        Assert.Single(Regex.Matches(screen, "^once-5$", RegexOptions.Multiline));

        // Tab reaches the remote shell before Enter: readline completes "ech" to "echo".
        await session.Tmux.SendAsync("ech", "Tab");
        await session.Tmux.WaitForAsync("$ echo ");
        await session.Tmux.SendAsync("tab-$((1+1)); stty size", "Enter");
        await session.Tmux.WaitForAsync("tab-2\n");
        await session.Tmux.WaitForAsync("40 120\n");
        await session.Tmux.ResizeAsync(100, 30);
        await session.Tmux.SendAsync("stty size", "Enter");
        await session.Tmux.WaitForAsync("30 100\n");

        // Ctrl-D at the prompt ends the shell, which exits with its last command's code.
        // Ctrl-D once the prompt is back: sent together with the line, bash may still be switching the terminal's
        // modes around the command when it arrives.
        await session.Tmux.SendAsync("(exit 3)", "Enter");
        await session.Tmux.WaitForAsync("(exit 3)\nuser@");
        await session.Tmux.SendAsync("C-d");
        screen = await session.Tmux.WaitForAsync("tty-");
        Assert.Contains("cli-exited-3", screen, StringComparison.Ordinal);
        Assert.Contains("tty-restored", screen, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_CtrlC_InterruptsTheRemoteCommand_AndTheShellStays()
    {
        await using var session = await ConnectAsync();
        await session.Tmux.WaitForAsync(Prompt);
        await session.Tmux.SendAsync("sleep 300", "Enter");
        await Eventually.TrueAsync(async () => await session.RemoteSleepsAsync(), "the remote sleep to start", TimeSpan.FromSeconds(20));

        await session.Tmux.SendAsync("C-c");
        await Eventually.TrueAsync(async () => !await session.RemoteSleepsAsync(), "Ctrl-C to stop the remote sleep", TimeSpan.FromSeconds(20));
        await session.Tmux.SendAsync("echo alive-$((20+22))", "Enter");
        var screen = await session.Tmux.WaitForAsync("alive-42\n");
        Assert.Contains("^C", screen, StringComparison.Ordinal);
        Assert.DoesNotContain("cli-exited", screen, StringComparison.Ordinal);

        await session.Tmux.SendAsync("exit", "Enter");
        screen = await session.Tmux.WaitForAsync("tty-");
        Assert.Contains("cli-exited-0", screen, StringComparison.Ordinal);
        Assert.Contains("tty-restored", screen, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(15)]
    [InlineData(1)]
    public async Task Connect_EndedBySignal_RestoresTheTerminal_AndKillsTheRemoteShellAndItsChildren(int signal)
    {
        await using var session = await ConnectAsync();
        await session.Tmux.WaitForAsync(Prompt);
        await session.Tmux.SendAsync("sleep 300", "Enter");
        await Eventually.TrueAsync(async () => await session.RemoteSleepsAsync(), "the remote sleep to start", TimeSpan.FromSeconds(20));

        Host.Signal(int.Parse(await File.ReadAllTextAsync(session.PidFile), System.Globalization.CultureInfo.InvariantCulture), signal);
        var screen = await session.Tmux.WaitForAsync("tty-");
        Assert.Contains($"cli-exited-{128 + signal}", screen, StringComparison.Ordinal);
        Assert.Contains("tty-restored", screen, StringComparison.Ordinal);
        await Eventually.TrueAsync(async () => !await session.RemoteSleepsAsync(), "the remote shell and its sleep to be killed", TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task Connect_WhoseTerminalIsClosed_Ends_AndKillsTheRemoteShellAndItsChildren()
    {
        await using var session = await ConnectAsync();
        await session.Tmux.WaitForAsync(Prompt);
        await session.Tmux.SendAsync("sleep 300", "Enter");
        await Eventually.TrueAsync(async () => await session.RemoteSleepsAsync(), "the remote sleep to start", TimeSpan.FromSeconds(20));
        var pid = await File.ReadAllTextAsync(session.PidFile);

        // As closing a terminal window: the terminal hangs up under the CLI.
        await session.Tmux.DisposeAsync();
        await Eventually.TrueAsync(() => !Directory.Exists($"/proc/{pid.Trim()}"), "the CLI to end", TimeSpan.FromSeconds(20));
        await Eventually.TrueAsync(async () => !await session.RemoteSleepsAsync(), "the remote shell and its sleep to be killed", TimeSpan.FromSeconds(20));
    }

    private async Task<Session> ConnectAsync()
    {
        var id = (await live.PaddockAsync("sandbox", "create")).Stdout.Trim();
        var name = "paddock-" + id;
        var pidFile = Path.Combine(Path.GetTempPath(), $"{name}.pid");

        // The CLI's pid (for signals), its exit code, and whether the terminal's modes came back as they were.
        var script = $"""
            before=$(stty -g)
            sh -c 'echo $$ > {pidFile}; exec env PADDOCK_API_URL={live.Server.BaseAddress} PADDOCK_API_KEY={ServerProcess.ApiKey} dotnet {CliServer.Dll} sandbox connect {id}'
            echo cli-exited-$?
            if [ "$(stty -g)" = "$before" ]; then echo tty-restored; else echo tty-changed; fi
            sleep 600
            """;
        return new Session(live, id, pidFile, await Tmux.StartAsync(name, script));
    }

    private sealed record Session(CliServer Live, string SandboxId, string PidFile, Tmux Tmux) : IAsyncDisposable
    {
        public async Task<bool> RemoteSleepsAsync() =>
            (await Live.PaddockAsync("sandbox", "exec", SandboxId, "--", "pgrep", "-x", "sleep")).ExitCode == 0;

        public async ValueTask DisposeAsync()
        {
            await Tmux.DisposeAsync();
            File.Delete(PidFile);
            await Live.PaddockAsync("sandbox", "kill", SandboxId);
        }
    }
}
