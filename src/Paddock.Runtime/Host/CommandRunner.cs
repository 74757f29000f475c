using System.Diagnostics;

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
}

internal sealed record CommandResult(int ExitCode, string Output, string Error);

/// <summary>A host tool exited with a non-zero status.</summary>
internal sealed class CommandFailedException(string command, int exitCode, string output)
    : Exception($"{Path.GetFileName(command)} exited with {exitCode}: {output}")
{
    public int ExitCode { get; } = exitCode;

    public string Output { get; } = output;
}
