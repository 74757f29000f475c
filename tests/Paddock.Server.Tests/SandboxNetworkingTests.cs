using System.Net;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>
/// Sandbox networking across a crash of the server, at teardown, and under the operator's settings: rules come back from what each sandbox's
/// bundle keeps, interfaces no sandbox owns are removed at start, and a kill or a clean stop leaves no
/// interface, firewall table, routing rule or gateway device. Needs root, crun, iproute2, nftables and
/// dnsmasq (the test internet).
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class SandboxNetworkingTests
{
    private const string Pool = "10.90.0.0/24";

    [Fact]
    public async Task Crash_KeepsEveryRule_RemovesOrphanInterfaces_AndTeardownLeavesNothing()
    {
        await using var internet = await TestInternet.StartAsync();
        await using var server = new ServerProcess(environment: internet.ServerEnvironment(Pool));
        await server.StartAsync();
        var shell = new SandboxShell(server);
        string open, held;
        using (var api = server.Client())
        {
            open = await api.CreateAsync(new { templateID = "base", timeout = 600 });
            held = await api.CreateAsync(new { templateID = "base", timeout = 600, network = new { denyOut = new[] { "0.0.0.0/0" }, allowOut = new[] { "203.0.113.11" } } });
            Assert.Equal("203.0.113.10", await AddressAnsweringAsync(shell, open, "203.0.113.10"));
            Assert.Equal("blocked", await AddressAnsweringAsync(shell, held, "203.0.113.10"));
            Assert.Equal("203.0.113.11", await AddressAnsweringAsync(shell, held, "203.0.113.11"));

            await server.StopAsync(crash: true);

            // A host end whose sandbox is gone (as a crash between a delete and its cleanup leaves it).
            var orphan = InterfacePrefixOf(server) + "0a5a00fe";
            var (made, output) = await Host.RunAsync("ip", "link", "add", orphan, "type", "veth", "peer", "name", "orphanpeer");
            Assert.True(made == 0, output);

            await server.StartAsync();
            Assert.False(Directory.Exists($"/sys/class/net/{orphan}"), "the orphan interface is still there");
            Assert.Equal("blocked", await AddressAnsweringAsync(shell, held, "203.0.113.10"));
            Assert.Equal("203.0.113.11", await AddressAnsweringAsync(shell, held, "203.0.113.11"));
            Assert.Equal("203.0.113.10", await AddressAnsweringAsync(shell, open, "203.0.113.10"));

            // The rules still change live after the restart.
            (await api.SendAsync(HttpMethod.Put, $"/sandboxes/{held}/network", "{}")).AssertStatus(HttpStatusCode.NoContent);
            Assert.Equal("203.0.113.10", await AddressAnsweringAsync(shell, held, "203.0.113.10"));

            var (_, table) = await Host.RunAsync("nft", "list", "tables");
            Assert.Contains("paddock_", table, StringComparison.Ordinal);
            foreach (var id in new[] { open, held })
            {
                (await api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
            }

            Assert.Empty(PoolInterfaces(server));
            await LeakCheck.AssertNothingLeftAsync(server, [open, held]);
        }

        await server.StopAsync();
        var (_, tables) = await Host.RunAsync("nft", "list", "tables");
        Assert.DoesNotContain("paddock_", tables, StringComparison.Ordinal);
        var (_, rules) = await Host.RunAsync("ip", "rule", "show");
        Assert.DoesNotContain(Pool, rules, StringComparison.Ordinal);
        Assert.Empty(System.IO.Directory.EnumerateDirectories("/sys/class/net", "pgw*"));
    }

    [Fact]
    public async Task OperatorSettings_OpenAPrivateRange_DenyAnAddressOverAnyRule_AndTurnInternetOffByDefault()
    {
        await using var internet = await TestInternet.StartAsync();
        var environment = internet.ServerEnvironment(Pool);
        environment["PADDOCK_NETWORK_ALLOWED_RANGES"] = "10.99.0.0/24";
        environment["PADDOCK_NETWORK_DENIED_RANGES"] = "203.0.113.12/32";
        environment["PADDOCK_NETWORK_INTERNET_ACCESS"] = "false";
        await using var server = new ServerProcess(environment: environment);
        await server.StartAsync();
        var shell = new SandboxShell(server);
        using var api = server.Client();

        var quiet = await api.CreateAsync(new { templateID = "base" });
        Assert.False((await api.GetAsync($"/sandboxes/{quiet}")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("allowInternetAccess").GetBoolean());
        Assert.Equal("blocked", await AddressAnsweringAsync(shell, quiet, "203.0.113.10"));

        var online = await api.CreateAsync(new { templateID = "base", allow_internet_access = true, network = new { allowOut = new[] { "203.0.113.12" } } });
        Assert.Equal("203.0.113.10", await AddressAnsweringAsync(shell, online, "203.0.113.10"));
        Assert.Equal("10.99.0.10", await AddressAnsweringAsync(shell, online, "10.99.0.10"));
        Assert.Equal("blocked", await AddressAnsweringAsync(shell, online, "203.0.113.12"));
        Assert.Equal("blocked", await AddressAnsweringAsync(shell, online, "169.254.169.254"));

        foreach (var id in new[] { quiet, online })
        {
            (await api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        }
    }

    // Which address answered an HTTP request from inside the sandbox, or "blocked".
    private static async Task<string> AddressAnsweringAsync(SandboxShell shell, string sandboxId, string address)
    {
        var output = await shell.ExecAsync(sandboxId, $"curl -sS --connect-timeout 2 --max-time 3 http://{address}/ || echo blocked");
        return output.Contains("blocked", StringComparison.Ordinal) ? "blocked"
            : System.Text.Json.JsonDocument.Parse(output[..output.LastIndexOf('\n')]).RootElement.GetProperty("address").GetString()!;
    }

    private static string[] PoolInterfaces(ServerProcess server) =>
        [.. System.IO.Directory.EnumerateDirectories("/sys/class/net", InterfacePrefixOf(server) + "0a5a00*").Select(Path.GetFileName)!];

    // A server names its sandboxes' host ends p<4 hex of its data dir's hash><address in hex>.
    private static string InterfacePrefixOf(ServerProcess server) =>
        "p" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(server.DataDir))))[..4];
}
