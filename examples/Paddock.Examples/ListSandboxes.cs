using Paddock.Client;

namespace Paddock.Examples;

/// <summary>List running sandboxes, a page at a time or all of them.</summary>
internal static class ListSandboxes
{
    public static async Task RunAsync()
    {
        await using var sandbox = await Sandbox.CreateAsync(new SandboxOptions { Metadata = new Dictionary<string, string> { ["example"] = "list" } });

        var paginator = Sandbox.List(new SandboxQuery { State = [SandboxState.Running], Metadata = new Dictionary<string, string> { ["example"] = "list" } });
        var firstPage = await paginator.NextItemsAsync();
        Console.WriteLine($"Running with example=list: {firstPage.Count}");

        await foreach (var info in Sandbox.List(new SandboxQuery { State = [SandboxState.Running] }))
        {
            if (info.SandboxId == sandbox.SandboxId)
            {
                Console.WriteLine("Found mine");
            }
        }
    }
}
