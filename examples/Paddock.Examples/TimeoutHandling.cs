using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Handle timeouts: a run that takes too long, and a sandbox whose time ran out.</summary>
internal static class TimeoutHandling
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromSeconds(60) });
        try
        {
            await sandbox.RunCodeAsync("import time; time.sleep(10)", new RunCodeOptions { Timeout = TimeSpan.FromSeconds(1) });
        }
        catch (SandboxTimeoutException ex)
        {
            Console.WriteLine($"Execution timed out: {ex.Message}");
        }

        await sandbox.SetTimeoutAsync(TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(2));
        try
        {
            await sandbox.Commands.RunAsync("echo too late");
        }
        catch (SandboxTimeoutException ex)
        {
            Console.WriteLine($"Sandbox timed out: {ex.Message}");
        }
    }
}
