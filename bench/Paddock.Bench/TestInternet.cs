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

    private static Task<string> RunAsync(string command, string directory) => HostCommand.RunAsync(s_script, command, directory);
}
