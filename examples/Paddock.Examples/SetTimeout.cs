using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Change the timeout of a running sandbox: the new timeout counts from now.</summary>
internal static class SetTimeout
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromSeconds(60) });

        // The sandbox now ends 30 seconds from now.
        await sandbox.SetTimeoutAsync(TimeSpan.FromSeconds(30));

        var left = (await sandbox.GetInfoAsync()).EndAt - DateTimeOffset.UtcNow;
        Console.WriteLine($"Ends in about {Math.Round(left.TotalSeconds / 10) * 10:0} s");
        await sandbox.KillAsync();
    }
}
