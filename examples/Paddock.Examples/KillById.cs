using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Kill a sandbox knowing only its id (e.g. from another process).</summary>
internal static class KillById
{
    public static async Task RunAsync()
    {
        var sandboxId = (await Sandbox.CreateAsync()).SandboxId;

        var killed = await Sandbox.KillAsync(sandboxId);
        Console.WriteLine($"Killed: {killed}; killed again: {await Sandbox.KillAsync(sandboxId)}");
    }
}
