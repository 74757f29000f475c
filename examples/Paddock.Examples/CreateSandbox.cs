using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Create a sandbox: it lives 5 minutes unless told otherwise.</summary>
internal static class CreateSandbox
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync();
        Console.WriteLine($"Sandbox created: {sandbox.SandboxId}");
        await sandbox.KillAsync();
    }
}
