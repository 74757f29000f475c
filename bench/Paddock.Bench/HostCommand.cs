using System.Diagnostics;

namespace Paddock.Bench;

/// <summary>Runs a host program to its end and returns what it printed; a failure is an exception with its error output.</summary>
internal static class HostCommand
{
    public static async Task<string> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? await output : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {error}");
    }
}
