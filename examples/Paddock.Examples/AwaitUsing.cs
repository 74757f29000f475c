using Paddock.Client;

namespace Paddock.Examples;

/// <summary><c>await using</c> kills the sandbox when the block ends, however it ends.</summary>
internal static class AwaitUsing
{
    public static async Task RunAsync()
    {
        string sandboxId;
        await using (var sandbox = await Sandbox.CreateAsync())
        {
            sandboxId = sandbox.SandboxId;
            var result = await sandbox.Commands.RunAsync("echo inside the sandbox");
            Console.Write(result.Stdout);
        }

        Console.WriteLine($"Killed on dispose: {!await Sandbox.KillAsync(sandboxId)}");
    }
}
