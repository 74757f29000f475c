using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Paddock.Bench;

/// <summary>
/// Sandbox networking against the tests' private internet (tests/internet): create-to-ready with
/// networking and without, interleaved in one loop (two servers); TCP connect and HTTP GET latency from a
/// sandbox (no rules; and with a domain rule, through the egress proxy) next to the same curl from a bare
/// network namespace routed and NATed to the same uplink by hand; a 100 MB download each way.
/// </summary>
internal static class NetworkBench
{
    private const int Creates = 40;
    private const int Requests = 60;
    private const string BareNamespace = "paddock-bench-bare";
    private static readonly string[] s_denyAll = ["0.0.0.0/0"];
    private static readonly string[] s_testDomains = ["api.test", "files.test"];

    public static async Task<string> RunAsync(string dataDir, string templatesDir, string agentPath, IReadOnlyDictionary<string, string> internet)
    {
        var networked = new Dictionary<string, string>(internet) { ["PADDOCK_NETWORK_ADDRESS_POOL"] = "10.91.0.0/24" };
        var plain = new Dictionary<string, string> { ["PADDOCK_NETWORK_ENABLED"] = "false" };
        var withNetwork = new Stats("create, with networking");
        var withoutNetwork = new Stats("create, without");
        var report = new StringBuilder();
        // The two servers' data dirs are below the benchmark's: the sandboxes' root must be able to pass through it.
        File.SetUnixFileMode(dataDir, File.GetUnixFileMode(dataDir) | UnixFileMode.OtherExecute);
        await using var on = await PaddockServer.StartAsync(Path.Combine(dataDir, "net-on"), templatesDir, $"/run/paddock-bench/{Path.GetFileName(dataDir)}-net-on", agentPath, environment: networked);
        await using var off = await PaddockServer.StartAsync(Path.Combine(dataDir, "net-off"), templatesDir, $"/run/paddock-bench/{Path.GetFileName(dataDir)}-net-off", agentPath, environment: plain);
        await on.KillAsync(await on.CreateAsync());
        await off.KillAsync(await off.CreateAsync());

        Console.WriteLine($"{Creates} creates with networking and without, interleaved...");
        for (var i = 0; i < Creates; i++)
        {
            var watch = Stopwatch.StartNew();
            var a = await on.CreateAsync();
            withNetwork.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            var b = await off.CreateAsync();
            withoutNetwork.Add(watch.Elapsed.TotalMilliseconds);
            await on.KillAsync(a);
            await off.KillAsync(b);
        }

        report.AppendLine("| create-to-ready | p50 | p95 |");
        report.AppendLine("|---|---|---|");
        foreach (var stats in new[] { withNetwork, withoutNetwork })
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"| {stats.Name} (n={stats.Count}) | {stats.P50:0.0} ms | {stats.P95:0.0} ms |");
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"| difference at p50 | {withNetwork.P50 - withoutNetwork.P50:+0.0;-0.0} ms | |");
        report.AppendLine();

        Console.WriteLine("Latency and throughput: sandbox vs bare namespace...");
        var open = await on.CreateAsync(new { templateID = "base", timeout = 600 });
        var proxied = await on.CreateAsync(new { templateID = "base", timeout = 600, network = new { denyOut = s_denyAll, allowOut = s_testDomains } });
        await MakeBareNamespaceAsync(internet["PADDOCK_NETWORK_UPLINK"], internet["PADDOCK_NETWORK_UPLINK_GATEWAY"]);
        try
        {
            var crunRoot = $"/run/paddock-bench/{Path.GetFileName(dataDir)}-net-on";
            Task<string> InSandbox(string id, string script) => HostCommand.RunAsync("crun", ["--root", crunRoot, "exec", id, "/bin/sh", "-c", script]);
            Task<string> InBare(string script) => HostCommand.RunAsync("ip", ["netns", "exec", BareNamespace, "/bin/sh", "-c", script]);

            // The host's own curl in the sandbox's network namespace: the same program as on the bare side, without
            // the sandbox's seccomp filter and CPU limit, so the difference is the network path alone.
            var state = await HostCommand.RunAsync("crun", ["--root", crunRoot, "state", open]);
            var initPid = System.Text.Json.JsonDocument.Parse(state).RootElement.GetProperty("pid").GetInt32().ToString(CultureInfo.InvariantCulture);
            Task<string> InSandboxNamespace(string script) => HostCommand.RunAsync("nsenter", ["-t", initPid, "-n", "/bin/sh", "-c", script]);

            // curl's own clock: connect and total (a GET of a small JSON answer), one curl per request on both sides.
            var loop = $"for i in $(seq {Requests}); do curl -s -o /dev/null -w '%{{time_connect}} %{{time_total}}\\n' http://203.0.113.10/; done";
            var byName = $"for i in $(seq {Requests}); do curl -s -o /dev/null -w '%{{time_connect}} %{{time_total}}\\n' --resolve api.test:80:203.0.113.10 http://api.test/; done";
            var rows = new List<(string Name, string Output)>
            {
                ("sandbox, no rules (kernel path)", await InSandbox(open, loop)),
                ("sandbox's namespace, the host's curl (the path alone)", await InSandboxNamespace(loop)),
                ("sandbox, domain rule (egress proxy)", await InSandbox(proxied, byName)),
                ("bare namespace", await InBare(loop)),
            };
            report.AppendLine("| to a test server, HTTP | TCP connect p50 | p95 | GET total p50 | p95 |");
            report.AppendLine("|---|---|---|---|---|");
            foreach (var (name, output) in rows)
            {
                var (connect, total) = Parse(name, output);
                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} (n={connect.Count}) | {connect.P50:0.000} ms | {connect.P95:0.000} ms | {total.P50:0.000} ms | {total.P95:0.000} ms |");
            }

            report.AppendLine();
            report.AppendLine("| 100 MB download (HTTP) | MB/s |");
            report.AppendLine("|---|---|");
            const string Download = "curl -s -o /dev/null -w '%{speed_download}' http://files.test/bytes?n=100000000";
            foreach (var (name, output) in new[]
            {
                ("sandbox, no rules", await InSandbox(open, Download)),
                ("sandbox, domain rule (egress proxy)", await InSandbox(proxied, Download)),
                ("bare namespace", await InBare(Download.Replace("http://files.test", "--resolve files.test:80:203.0.113.12 http://files.test", StringComparison.Ordinal))),
            })
            {
                var bytesPerSecond = double.Parse(output.Trim(), CultureInfo.InvariantCulture);
                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {bytesPerSecond / 1e6:0} |");
            }
        }
        finally
        {
            await RemoveBareNamespaceAsync();
            await on.KillAsync(open);
            await on.KillAsync(proxied);
        }

        return report.ToString();
    }

    private static (Stats Connect, Stats Total) Parse(string name, string output)
    {
        var connect = new Stats(name);
        var total = new Stats(name);
        foreach (var line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ');
            connect.Add(double.Parse(parts[0], CultureInfo.InvariantCulture) * 1000);
            total.Add(double.Parse(parts[1], CultureInfo.InvariantCulture) * 1000);
        }

        return (connect, total);
    }

    // The bare primitive: a namespace with a veth to the host, routed and NATed to the same uplink by hand.
    private static async Task MakeBareNamespaceAsync(string uplink, string gateway)
    {
        await RemoveBareNamespaceAsync();
        var script = $"""
            set -e
            ip netns add {BareNamespace}
            ip link add pbenchbare type veth peer name eth0 netns {BareNamespace}
            ip addr add 10.92.0.1/30 dev pbenchbare
            ip link set pbenchbare up
            ip -n {BareNamespace} addr add 10.92.0.2/30 dev eth0
            ip -n {BareNamespace} link set eth0 up
            ip -n {BareNamespace} link set lo up
            ip -n {BareNamespace} route add default via 10.92.0.1
            echo 1 > /proc/sys/net/ipv4/conf/pbenchbare/forwarding
            ip route replace default via {gateway} dev {uplink} table 7792
            ip rule add from 10.92.0.0/30 lookup 7792 priority 7792
            """;
        await HostCommand.RunAsync("/bin/sh", ["-c", script]);
        await HostCommand.RunAsync("nft", ["add table ip paddock_bench_bare; add chain ip paddock_bench_bare post { type nat hook postrouting priority srcnat; }; add rule ip paddock_bench_bare post ip saddr 10.92.0.0/30 masquerade"]);
    }

    private static async Task RemoveBareNamespaceAsync()
    {
        const string Script = """
            ip netns del paddock-bench-bare 2>/dev/null
            ip link del pbenchbare 2>/dev/null
            ip rule del priority 7792 2>/dev/null
            ip route flush table 7792 2>/dev/null
            nft delete table ip paddock_bench_bare 2>/dev/null
            true
            """;
        await HostCommand.RunAsync("/bin/sh", ["-c", Script]);
    }
}
