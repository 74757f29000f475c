using System.Diagnostics;

namespace Paddock.Bench;

/// <summary>The tests' private internet (tests/internet/internet.sh), started and stopped by the benchmark.</summary>
internal static class TestInternet
{
    private static readonly string s_script = Path.GetFullPath("tests/internet/internet.sh");

    /// <summary>Starts it; the server settings that send sandbox traffic into it.</summary>
    public static async Task<Dictionary<string, string>> StartAsync(string directory)
    {
        var output = await RunAsync("up", directory);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith("PADDOCK_", StringComparison.Ordinal))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
    }

    public static Task StopAsync(string directory) => RunAsync("down", directory);

    private static async Task<string> RunAsync(string command, string directory)
    {
        var info = new ProcessStartInfo(s_script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(command);
        info.ArgumentList.Add(directory);
        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"{s_script} {command} failed: {error}");
    }
}
