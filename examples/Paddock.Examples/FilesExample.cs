using Paddock.Client;

namespace Paddock.Examples;

/// <summary>Write a file into the sandbox and read it back.</summary>
internal static class FilesExample
{
    public static async Task RunAsync()
    {
        await using var sandbox = await Sandbox.CreateAsync();
        await sandbox.Files.WriteAsync("/home/user/my-file.txt", "file content");
        Console.WriteLine(await sandbox.Files.ReadAsync("/home/user/my-file.txt"));
        foreach (var entry in await sandbox.Files.ListAsync("/home/user"))
        {
            Console.WriteLine($"{entry.Permissions} {entry.Owner} {entry.Name}");
        }
    }
}
