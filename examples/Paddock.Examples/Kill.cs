using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Shut a sandbox down before its timeout.</summary>
internal static class Kill
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromSeconds(60) });

        // Shut the sandbox down immediately.
        await sandbox.KillAsync();

        Console.WriteLine($"Running after kill: {await sandbox.IsRunningAsync()}");
    }
}
