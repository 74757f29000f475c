using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Clean up with try/finally, so a failure never leaves a sandbox running.</summary>
internal static class TryFinally
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync();
        try
        {
            var execution = await sandbox.RunCodeAsync("sum(range(10))");
            Console.WriteLine($"Result: {execution.Text}");
        }
        finally
        {
            await sandbox.KillAsync();
        }
    }
}
