using System.Diagnostics;
using System.Text;

namespace Paddock.Runtime.Host;

/// <summary>Runs host tools (crun, unshare, the template recipe) and reports their failures with their output.</summary>
internal static class CommandRunner
{
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var result = await TryRunAsync(file, args, cancellationToken);
        if (result.ExitCode != 0)
        {
            throw new CommandFailedException(file, result.ExitCode, result.Error.Trim());
        }

        return result.Output;
    }

    public static async Task<CommandResult> TryRunAsync(string file, IEnumerable<string> args, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return new CommandResult(process.ExitCode, await output, await error);
    }

    /// <summary>
    /// Runs a command whose children must outlive it with no pipe to this process (crun create: the
    /// container's init inherits crun's stdio). A shell swaps the pipes .NET gives it for /dev/null and
    /// <paramref name="logPath"/> before it execs the command.
    /// </summary>
    public static async Task RunDetachedAsync(string file, IEnumerable<string> args, string logPath, CancellationToken cancellationToken)
    {
        var shellArgs = new List<string> { "-c", "exec \"$0\" \"$@\" </dev/null >>\"$PADDOCK_LOG\" 2>&1", file };
        shellArgs.AddRange(args);
        var info = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.Environment["PADDOCK_LOG"] = logPath;
        foreach (var arg in shellArgs)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        if (process.ExitCode != 0)
        {
            var log = File.Exists(logPath) ? await File.ReadAllTextAsync(logPath, Encoding.UTF8, CancellationToken.None) : string.Empty;
            throw new CommandFailedException(file, process.ExitCode, log.Trim());
        }
    }
}

internal sealed record CommandResult(int ExitCode, string Output, string Error);

/// <summary>A host tool exited with a non-zero status.</summary>
internal sealed class CommandFailedException(string command, int exitCode, string output)
    : Exception($"{Path.GetFileName(command)} exited with {exitCode}: {output}")
{
    public int ExitCode { get; } = exitCode;

    public string Output { get; } = output;
}
