using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Pattern 1, a sandbox per task: create, do the work, and let <c>await using</c> kill it.</summary>
internal static class PatternPerTask
{
    public static async Task RunAsync()
    {
        foreach (var task in new[] { "2 ** 10", "len('sandbox')" })
        {
            await using var sandbox = await Sandbox.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromMinutes(2) });
            Console.WriteLine($"{task} = {(await sandbox.RunCodeAsync(task)).Text}");
        }
    }
}
