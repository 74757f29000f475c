using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Create a sandbox and keep it running for 60 seconds.</summary>
internal static class CustomTimeout
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromSeconds(60) });
        var info = await sandbox.GetInfoAsync();
        Console.WriteLine($"Lives for {(info.EndAt - info.StartedAt).TotalSeconds:0} s");
        await sandbox.KillAsync();
    }
}
