using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Pattern 2, a sandbox per user session: a short timeout, extended on every interaction.</summary>
internal static class PatternSession
{
    public static async Task RunAsync()
    {
        await using var sandbox = await Sandbox.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromMinutes(1) });
        foreach (var step in new[] { "items = []", "items.append('first')", "items.append('second')", "items" })
        {
            // Each interaction keeps the session alive for another minute.
            await sandbox.SetTimeoutAsync(TimeSpan.FromMinutes(1));
            var execution = await sandbox.RunCodeAsync(step);
            if (execution.Text is { } text)
            {
                Console.WriteLine(text);
            }
        }
    }
}
