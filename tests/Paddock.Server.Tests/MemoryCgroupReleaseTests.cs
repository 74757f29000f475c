using System.Globalization;
using System.Net;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>
/// A killed sandbox gives its memory cgroups back. A cgroup that is removed stays counted by the kernel, dying, until
/// the last page charged to it is gone; a file that outlives the sandbox (its log, say) but was written from inside
/// it would keep it so. Needs root and crun, as the whole suite.
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class MemoryCgroupReleaseTests(SharedServer shared)
{
    private const int Sandboxes = 8;

    [Fact]
    public async Task KilledSandboxes_LeaveNoDyingMemoryCgroup()
    {
        var baseline = DyingMemoryCgroups();
        var sandboxes = new List<(string Id, string? Token)>();
        for (var i = 0; i < Sandboxes; i++)
        {
            var created = (await shared.Client.PostAsync("/v2/sandboxes", new { templateID = "base" })).AssertStatus(HttpStatusCode.Created).Json;
            sandboxes.Add((created.GetProperty("sandboxID").GetString()!, created.TryGetProperty("envdAccessToken", out var token) ? token.GetString() : null));
        }

        // Work that charges pages to each sandbox: output through the agent (and its log), files in its layer.
        foreach (var (id, token) in sandboxes)
        {
            for (var c = 0; c < 3; c++)
            {
                var result = await AgentCommand.RunAsync(shared.Server.BaseAddress, id, token, $"seq 1 2000; head -c 1048576 /dev/urandom > /tmp/f{c}; cat /tmp/f{c} | wc -c");
                Assert.True(result.ExitCode == 0, $"{result.ExitCode} {result.Error} {result.Output[^Math.Min(200, result.Output.Length)..]}");
            }
        }

        foreach (var (id, _) in sandboxes)
        {
            (await shared.Client.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        }

        // Each sandbox has two memory cgroups (its own and its work group): one pinned per sandbox would leave
        // Sandboxes over the baseline. Other sandboxes on the host come and go meanwhile, hence the small slack.
        var left = int.MaxValue;
        await Eventually.TrueAsync(
            () => (left = DyingMemoryCgroups()) <= baseline + 2,
            $"the dying memory cgroups to return to {baseline} (+2)",
            TimeSpan.FromSeconds(60));
        Assert.True(left <= baseline + 2, $"{left} dying memory cgroups, {baseline} before");
    }

    // The kernel's count (removed ones included, until freed) less the cgroups that still exist.
    private static int DyingMemoryCgroups()
    {
        var counted = File.ReadLines("/proc/cgroups")
            .Select(l => l.Split('\t'))
            .Where(f => f[0] == "memory")
            .Select(f => int.Parse(f[2], CultureInfo.InvariantCulture))
            .Single();
        var existing = 1 + Directory.EnumerateDirectories("/sys/fs/cgroup/memory", "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true }).Count();
        return counted - existing;
    }
}
