using System.Net;
using System.Net.Sockets;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Security;

/// <summary>
/// The crossing between the host and a sandbox's channel, attacked from inside as root: nothing a sandbox
/// plants or renames may point the host at another socket, another sandbox, or a host file.
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class ChannelAttackTests(SharedServer shared)
{
    [Fact]
    public async Task PlantedLinks_NeverRedirectTheHost_ToAHostSocketOrAnotherSandbox()
    {
        // A host socket standing for anything a root connection would own (a container engine's, say).
        var bait = Path.Combine(Path.GetTempPath(), $"paddock-bait-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(bait));
        listener.Listen();
        var baited = 0;
        _ = Task.Run(async () =>
        {
            while (true)
            {
                using var connection = await listener.AcceptAsync();
                Interlocked.Increment(ref baited);
            }
        });

        var a = await SecureSandbox.CreateAsync(shared.Client);
        var b = await SecureSandbox.CreateAsync(shared.Client);
        try
        {
            // B serves port 8123; A serves nothing there.
            await shared.Shell.StartBackgroundAsync(b.Id, "exec python3 -m http.server 8123 --bind 127.0.0.1", asUser: true);
            await WaitForPortAsync(b.Id, 8123);

            // Root in A plants links at every path the host ever used for a channel, and at the host's own paths
            // of A's and B's bundles, pointing at the bait and at B's sockets; then renames them about.
            var bundleA = Path.Combine(shared.Server.DataDir, "sandboxes", a.Id);
            var bundleB = Path.Combine(shared.Server.DataDir, "sandboxes", b.Id);
            var plant = string.Join("; ",
                "mkdir -p /run/paddock " + bundleA + " " + bundleB,
                $"ln -sf {bait} /run/paddock/agent.sock",
                $"ln -sf {bundleB}/tunnel.sock /run/paddock/tunnel.sock",
                $"ln -sf {bait} {bundleA}/agent.sock",
                $"ln -sf {bundleB}/tunnel.sock {bundleA}/tunnel.sock",
                $"mv /run/paddock /run/paddock.old && mkdir /run/paddock && ln -sf {bait} /run/paddock/agent.sock",
                "echo planted");
            Assert.Contains("planted", await shared.Shell.ExecAsync(a.Id, plant), StringComparison.Ordinal);

            // Traffic for A reaches A's agent and A's ports only.
            var hostname = await AgentCommand.RunAsync(shared.Server.BaseAddress, a.Id, a.Token, "hostname");
            Assert.Equal(a.Id, hostname.Output.Trim());
            (await SecureSandbox.RequestAsync(shared.Client, a.Id, 49983, "/envs", a.Token)).AssertStatus(HttpStatusCode.OK);
            var port = await SecureSandbox.RequestAsync(shared.Client, a.Id, 8123, "/");
            port.AssertStatus(HttpStatusCode.BadGateway);
            Assert.Equal("The sandbox is running but port is not open", port.Json.GetProperty("message").GetString());
            (await SecureSandbox.RequestAsync(shared.Client, b.Id, 8123, "/")).AssertStatus(HttpStatusCode.OK);

            Assert.Equal(0, Volatile.Read(ref baited));

            // The host's own channel files are as the host made them: sockets, not links.
            foreach (var name in new[] { "agent.sock", "tunnel.sock" })
            {
                var (_, type) = await Host.RunAsync("stat", "-c", "%F %U", Path.Combine(bundleA, name));
                Assert.Equal("socket root", type.Trim());
            }
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{a.Id}");
            await shared.Client.DeleteAsync($"/sandboxes/{b.Id}");
            File.Delete(bait);
        }
    }

    [Fact]
    public async Task Kill_NeverFollowsWhatTheSandboxPlanted()
    {
        var marker = Directory.CreateTempSubdirectory("paddock-marker-").FullName;
        var keep = Path.Combine(marker, "keep.txt");
        await File.WriteAllTextAsync(keep, "host data");
        var id = await shared.Client.CreateAsync();
        try
        {
            var plant = string.Join("; ",
                $"ln -s {marker} /etc/evil-dir",
                $"ln -s {keep} /home/user/evil-file",
                $"mkdir -p /deep/a/b/c && ln -s {marker} /deep/a/b/c/link && ln -s / /deep/root",
                $"mkdir -p {marker} && ln -s {keep} {marker}/inside-link",
                "echo planted");
            Assert.Contains("planted", await shared.Shell.ExecAsync(id, plant), StringComparison.Ordinal);
        }
        finally
        {
            (await shared.Client.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        }

        Assert.Equal("host data", await File.ReadAllTextAsync(keep));
        Assert.Equal(["keep.txt"], Directory.EnumerateFileSystemEntries(marker).Select(p => Path.GetFileName(p)!).ToArray());
        Assert.False(Directory.Exists(Path.Combine(shared.Server.DataDir, "sandboxes", id)));
        Directory.Delete(marker, recursive: true);
    }

    private async Task WaitForPortAsync(string sandboxId, int port)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await SecureSandbox.RequestAsync(shared.Client, sandboxId, port, "/")).Status != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, $"nothing answered on port {port} of {sandboxId}");
            await Task.Delay(100);
        }
    }
}
