using System.Runtime.InteropServices;
using Paddock.Client;

namespace Paddock.Cli.Terminal;

/// <summary>
/// An interactive shell in a sandbox that behaves like ssh: the local terminal is raw while it lasts and
/// restored on every way out; every key goes to the remote terminal; window sizes follow; the exit code is the
/// shell's. Leaving for any other reason than the shell's exit (a signal, the terminal hanging up, the
/// connection failing) kills the shell and everything it started, so nothing is left running unseen.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
internal sealed class ShellSession(Sandbox sandbox) : IDisposable
{
    private const int KeyBufferSize = 4096;
    // Under System.CommandLine's 2 s grace after SIGTERM or SIGINT, after which it ends the process anyway.
    private static readonly TimeSpan s_killLimit = TimeSpan.FromSeconds(1.5);

    // How long a failed keystroke waits for the shell's end, which is the likely reason it failed.
    private static readonly TimeSpan s_exitGrace = TimeSpan.FromSeconds(2);

    private readonly CancellationTokenSource _leave = new();
    private RawTerminal? _raw;
    private int _signal;

    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        using var caller = cancellationToken.Register(_leave.Cancel);
        using var raw = _raw = RawTerminal.Enter();
        var signals = new[] { PosixSignal.SIGTERM, PosixSignal.SIGHUP, PosixSignal.SIGINT, PosixSignal.SIGQUIT }
            .Select(signal => PosixSignalRegistration.Create(signal, OnSignal)).ToList();
        try
        {
            var (cols, rows) = Size();
            var shell = await sandbox.Pty.CreateAsync(cols, rows, data => Posix.WriteAll(Posix.StdoutFd, data), cancellationToken: _leave.Token);
            using var resize = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context => _ = ResizeAsync(shell.Pid));
            var exited = CliErrors.ExitCodeOfAsync(shell, CancellationToken.None);
            var keys = ForwardKeysAsync(shell.Pid, _leave.Token);
            var left = Task.Delay(Timeout.Infinite, _leave.Token);

            var first = await Task.WhenAny(exited, keys, left);
            if (first == keys && keys.IsCompletedSuccessfully && !keys.Result)
            {
                // Piped input ended and was passed on as Ctrl-D: the shell decides when to end.
                await Task.WhenAny(exited, left);
            }
            else if (first == keys && keys.IsFaulted)
            {
                await Task.WhenAny(exited, Task.Delay(s_exitGrace, CancellationToken.None));
            }

            if (exited.IsCompletedSuccessfully)
            {
                // No key is read once the terminal is restored: the next ones belong to the local shell.
                await _leave.CancelAsync();
                await ((Task)keys).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                return exited.Result;
            }

            // Leaving while the shell still runs: the terminal hung up, a signal came, or the connection failed.
            // The terminal is given back at once, not after the kill.
            await _leave.CancelAsync();
            raw?.Restore();
            await KillAsync(shell);
            if (exited.IsFaulted)
            {
                await exited;
            }

            if (keys.IsFaulted)
            {
                await keys;
            }

            return _signal > 0 ? 128 + _signal : ExitCodes.Interrupted;
        }
        finally
        {
            foreach (var registration in signals)
            {
                registration.Dispose();
            }
        }
    }

    public void Dispose() => _leave.Dispose();

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true;
        Interlocked.CompareExchange(ref _signal, SignalNumber(context.Signal), 0);
        _raw?.Restore();
        _leave.Cancel();
    }

    /// <summary>
    /// Sends the keys as they come, until the session ends. True when the session must end (it was left, or the
    /// terminal hung up); false when piped input ended, after passing that on as Ctrl-D.
    /// </summary>
    private async Task<bool> ForwardKeysAsync(int pid, CancellationToken cancellationToken)
    {
        var buffer = new byte[KeyBufferSize];
        try
        {
            int read;
            while ((read = await StandardInput.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await sandbox.Pty.SendInputAsync(pid, buffer[..read], cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return true;
        }

        if (_raw is not null)
        {
            return true;
        }

        await sandbox.Pty.SendInputAsync(pid, [0x04], cancellationToken);
        return false;
    }

    private async Task ResizeAsync(int pid)
    {
        try
        {
            var (cols, rows) = Size();
            await sandbox.Pty.ResizeAsync(pid, cols, rows, _leave.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A resize that fails (the shell just ended, a network blip) changes nothing worth a message.
        }
    }

    // Bounded, and detached from the session's token, which has fired by now.
    private static async Task KillAsync(CommandHandle shell)
    {
        using var limit = new CancellationTokenSource(s_killLimit);
        try
        {
            await shell.KillAsync(limit.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The connection may be what failed; the sandbox's own lifecycle still applies then.
        }
    }

    private static (int Cols, int Rows) Size() =>
        Posix.WindowSize(Posix.StdoutFd) ?? Posix.WindowSize(Posix.StdinFd) ?? (80, 24);

    private static int SignalNumber(PosixSignal signal) => signal switch
    {
        PosixSignal.SIGHUP => 1,
        PosixSignal.SIGINT => 2,
        PosixSignal.SIGQUIT => 3,
        _ => 15,
    };
}
