using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Run code in a stateful Python kernel, with streamed output.</summary>
internal static class RunCode
{
    public static async Task RunAsync()
    {
        await using var sandbox = await Sandbox.CreateAsync();
        var execution = await sandbox.RunCodeAsync("print('hello world')\n1 + 1", new RunCodeOptions { OnStdout = Console.Write });
        Console.WriteLine($"Result: {execution.Text}");
    }
}
