using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Pause a sandbox: memory and files are kept, nothing runs, until you connect.</summary>
internal static class Pause
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync();
        Console.WriteLine($"Paused: {await sandbox.BetaPauseAsync()}");
        Console.WriteLine($"State: {(await sandbox.GetInfoAsync()).State}");
        await sandbox.KillAsync();
    }
}
