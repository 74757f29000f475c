using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Retrieve sandbox information: id, template, metadata, start and end.</summary>
internal static class GetInfo
{
    public static async Task RunAsync()
    {
        var sandbox = await Sandbox.CreateAsync(new SandboxOptions
        {
            Timeout = TimeSpan.FromSeconds(60),
            Metadata = new Dictionary<string, string> { ["userId"] = "123" },
        });

        var info = await sandbox.GetInfoAsync();
        Console.WriteLine($"{info.SandboxId} from {info.TemplateId}, {info.State}, userId={info.Metadata["userId"]}");
        Console.WriteLine($"started {info.StartedAt:O}, ends {info.EndAt:O}");
        await sandbox.KillAsync();
    }
}
