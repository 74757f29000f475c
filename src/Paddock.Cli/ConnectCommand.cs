using System.CommandLine;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock sandbox connect ID</c>: an interactive login shell in the sandbox over a pseudoterminal.
/// The local terminal goes raw (keys pass through as bytes, Ctrl-C included) and is restored at the end;
/// window size changes follow. The exit code is the shell's.
/// </summary>
internal static class ConnectCommand
{
    public static Command Build(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var connect = new Command("connect", "Open an interactive shell in a sandbox (resumes a paused one)") { id };
        connect.SetAction((parse, ct) => SandboxCommands.RunWithCodeAsync(async () =>
        {
            var sandbox = await Sandbox.ConnectAsync(parse.GetValue(id)!, null, connection(parse), ct);
            await using var stdout = Console.OpenStandardOutput();
            var (cols, rows) = Size();
            var terminal = await sandbox.Pty.CreateAsync(cols, rows, data =>
            {
                lock (stdout)
                {
                    stdout.Write(data);
                    stdout.Flush();
                }
            }, cancellationToken: ct);

            var saved = await SttyAsync("-g");
            await SttyAsync("raw", "-echo");
            using var resize = OperatingSystem.IsWindows() ? null : PosixSignalRegistration.Create(PosixSignal.SIGWINCH, signal =>
            {
                var (c, r) = Size();
                _ = sandbox.Pty.ResizeAsync(terminal.Pid, c, r, CancellationToken.None);
            });
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
            // Not awaited: a read of the console cannot be cancelled, and the process ends after the shell.
            _ = PumpKeysAsync(sandbox, terminal.Pid, stop.Token);
            try
            {
                return (await terminal.WaitAsync(ct)).ExitCode;
            }
            catch (CommandExitException ex)
            {
                return ex.Result.ExitCode;
            }
            finally
            {
                await stop.CancelAsync();
                await SttyAsync(saved.Trim());
            }
        }));
        return connect;
    }

    private static async Task PumpKeysAsync(Sandbox sandbox, int pid, CancellationToken cancellationToken)
    {
        await using var stdin = Console.OpenStandardInput();
        var buffer = new byte[4096];
        try
        {
            int read;
            while ((read = await stdin.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await sandbox.Pty.SendInputAsync(pid, buffer[..read], cancellationToken);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SandboxException)
        {
            // The shell ended; its end is reported by WaitAsync.
        }
    }

    private static (int Cols, int Rows) Size()
    {
        try
        {
            return (Math.Max(Console.WindowWidth, 20), Math.Max(Console.WindowHeight, 5));
        }
        catch (IOException)
        {
            return (80, 24);
        }
    }

    // stty acts on its stdin, the terminal this process inherited.
    private static async Task<string> SttyAsync(params string[] args)
    {
        var info = new ProcessStartInfo("stty") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var stty = Process.Start(info)!;
        var output = await stty.StandardOutput.ReadToEndAsync();
        await stty.WaitForExitAsync();
        return output;
    }
}
