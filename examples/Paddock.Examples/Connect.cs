using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Connect to a sandbox by id; a paused one is resumed with its state.</summary>
internal static class Connect
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync();
        await sandbox.RunCodeAsync("greeting = 'hello again'");
        await sandbox.PauseAsync();

        var sameSandbox = await Sandbox.ConnectAsync(sandbox.SandboxId);
        Console.WriteLine((await sameSandbox.RunCodeAsync("greeting")).Text);
        await sameSandbox.KillAsync();
    }
}
