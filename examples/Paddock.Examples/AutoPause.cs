using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Auto-pause: at its timeout the sandbox is paused, not killed; connecting resumes it.</summary>
internal static class AutoPause
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.BetaCreateAsync(autoPause: true, new SandboxOptions { Timeout = TimeSpan.FromSeconds(2) });
        await sandbox.Files.WriteAsync("state.txt", "kept");

        while ((await sandbox.GetInfoAsync()).State != SandboxState.Paused)
        {
            await Task.Delay(250);
        }

        Console.WriteLine("Paused at its timeout");
        var resumed = await Sandbox.ConnectAsync(sandbox.SandboxId);
        Console.WriteLine($"Resumed, file says: {await resumed.Files.ReadAsync("state.txt")}");
        await resumed.KillAsync();
    }
}
