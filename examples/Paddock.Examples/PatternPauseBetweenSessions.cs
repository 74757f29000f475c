using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Pattern 3, pause between sessions: keep the id, pause when the user leaves, connect when they return.</summary>
internal static class PatternPauseBetweenSessions
{
    public static async Task RunAsync()
    {
        // First session.
        var sandbox = await Sandbox.CreateAsync();
        await sandbox.RunCodeAsync("notes = ['started']");
        var savedId = sandbox.SandboxId;
        await sandbox.PauseAsync();

        // Later, the user returns.
        var returning = await Sandbox.ConnectAsync(savedId);
        await returning.RunCodeAsync("notes.append('resumed')");
        Console.WriteLine((await returning.RunCodeAsync("notes")).Text);
        await returning.KillAsync();
    }
}
