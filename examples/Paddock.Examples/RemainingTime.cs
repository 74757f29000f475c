using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Check how long a sandbox has left, and extend it when it runs low.</summary>
internal static class RemainingTime
{
    public static async Task RunAsync()
    {
        await using var sandbox = await Sandbox.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromSeconds(30) });
        var remaining = (await sandbox.GetInfoAsync()).EndAt - DateTimeOffset.UtcNow;
        if (remaining < TimeSpan.FromMinutes(1))
        {
            await sandbox.SetTimeoutAsync(TimeSpan.FromMinutes(5));
        }

        remaining = (await sandbox.GetInfoAsync()).EndAt - DateTimeOffset.UtcNow;
        Console.WriteLine($"Remaining: about {Math.Round(remaining.TotalMinutes):0} minutes");
    }
}
