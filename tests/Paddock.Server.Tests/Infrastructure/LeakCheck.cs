using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Infrastructure;

/// <summary>Asserts that nothing of a server's sandboxes is left on the host: containers, mounts, cgroups, directories.</summary>
internal static class LeakCheck
{
    public static async Task AssertNothingLeftAsync(ServerProcess server, IEnumerable<string> sandboxIds)
    {
        var (_, list) = await Host.RunAsync("crun", "--root", server.CrunRoot, "list", "--quiet");
        Assert.Equal(string.Empty, list.Trim());

        // The sandbox volume itself stays mounted while the server runs; nothing may be mounted inside it.
        var sandboxesDir = Path.Combine(server.DataDir, "sandboxes");
        Assert.DoesNotContain(Host.MountPointsUnder(sandboxesDir), p => p != sandboxesDir);
        Assert.Empty(Directory.Exists(sandboxesDir) ? Directory.EnumerateFileSystemEntries(sandboxesDir) : []);

        foreach (var id in sandboxIds)
        {
            foreach (var controller in Directory.EnumerateDirectories("/sys/fs/cgroup"))
            {
                Assert.False(Directory.Exists(Path.Combine(controller, "paddock", id)), $"cgroup {controller}/paddock/{id} was left behind");
            }
        }
    }
}
