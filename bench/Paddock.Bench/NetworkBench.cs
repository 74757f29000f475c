using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Paddock.Bench;

/// <summary>
/// Sandbox networking against the tests' private internet (tests/internet): create-to-ready with
/// networking and without, interleaved in one loop (two servers); TCP connect and HTTP GET latency measured
/// by one warm probe process (<see cref="LatencyProbe"/>) inside a sandbox (no rules; and with a domain rule,
/// through the egress proxy), in the sandbox's namespace from the host, and in a bare network namespace routed
/// and NATed to the same uplink by hand, in blocks taken in turn; a 100 MB download each way, three times in turn.
/// </summary>
internal static class NetworkBench
{
    private const int Creates = 40;
    private const int LatencyBlocks = 20;
    private const int RequestsPerBlock = 50;
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

            // The network path alone: one probe process on the host takes its requests through the sandbox's namespace
            // and the bare one in turn, so the machine's load falls on both alike. Then the same probe as a process
            // in the sandbox (its seccomp filter, its CPU cgroup) in blocks taken in turn with the probe in the bare
            // namespace joined to the sandbox's CPU cgroup (a wake-up there costs something whatever the network),
            // and a sandbox with a domain rule, whose web traffic goes through the egress proxy.
            var state = await HostCommand.RunAsync("crun", ["--root", crunRoot, "state", open]);
            var initPid = System.Text.Json.JsonDocument.Parse(state).RootElement.GetProperty("pid").GetInt32().ToString(CultureInfo.InvariantCulture);
            var rootfs = Path.Combine(templatesDir, "base", "rootfs");
            var cpuCgroup = CpuCgroupProcs(initPid);
            (Stats Connect, Stats Request) Place(string name) => (new Stats(name), new Stats(name));
            var path = Place("sandbox's namespace, from the host");
            var pathBare = Place("bare namespace, from the same process in turn");
            var inside = Place("sandbox, no rules: a process inside it");
            var insideBare = Place("bare namespace, the probe in the sandbox's CPU cgroup");
            var proxy = Place("sandbox, domain rule (egress proxy)");
            Console.WriteLine($"{LatencyBlocks} blocks of {RequestsPerBlock} requests from each place, in turn...");
            for (var block = 0; block < LatencyBlocks; block++)
            {
                var both = LatencyProbe.Arguments("203.0.113.10", "203.0.113.10", RequestsPerBlock, 3, 4);
                LatencyProbe.Record(
                    await HostCommand.RunAsync("/bin/sh", ["-c", "exec 3<\"$0\" 4<\"$1\"; shift; exec \"$@\"", $"/proc/{initPid}/ns/net", $"/run/netns/{BareNamespace}", "chroot", rootfs, .. both]),
                    path,
                    pathBare);
                var one = LatencyProbe.Arguments("203.0.113.10", "203.0.113.10", RequestsPerBlock);
                LatencyProbe.Record(await HostCommand.RunAsync("crun", ["--root", crunRoot, "exec", open, .. one]), inside);
                LatencyProbe.Record(
                    await HostCommand.RunAsync("/bin/sh", ["-c", "echo $$ > \"$0\" && exec \"$@\"", cpuCgroup, "ip", "netns", "exec", BareNamespace, "chroot", rootfs, .. one]),
                    insideBare);
                LatencyProbe.Record(await HostCommand.RunAsync("crun", ["--root", crunRoot, "exec", proxied, .. LatencyProbe.Arguments("api.test", "203.0.113.10", RequestsPerBlock)]), proxy);
            }

            report.AppendLine("| to a test server, HTTP | TCP connect p50 | p95 | GET total p50 | p95 |");
            report.AppendLine("|---|---|---|---|---|");
            foreach (var (connect, request) in new[] { path, pathBare, inside, insideBare, proxy })
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {connect.Name} (n={connect.Count}) | {connect.P50:0.000} ms | {connect.P95:0.000} ms | {request.P50:0.000} ms | {request.P95:0.000} ms |");
            }

            foreach (var (name, sandbox, bare) in new[] { ("the network path (first row ÷ second)", path, pathBare), ("a process in a sandbox (third row ÷ fourth)", inside, insideBare) })
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| **{name}**, at p50 | {sandbox.Connect.P50 / bare.Connect.P50:0.00}× | | {sandbox.Request.P50 / bare.Request.P50:0.00}× | |");
            }
            report.AppendLine();
            report.AppendLine("| 100 MB download (HTTP), median of 3 taken in turn | MB/s |");
            report.AppendLine("|---|---|");
            const string Download = "curl -s -o /dev/null -w '%{speed_download}' http://files.test/bytes?n=100000000";
            var downloads = new (string Name, Func<Task<string>> Run, List<double> Speeds)[]
            {
                ("sandbox, no rules", () => InSandbox(open, Download), []),
                ("sandbox, domain rule (egress proxy)", () => InSandbox(proxied, Download), []),
                ("bare namespace", () => InBare(Download.Replace("http://files.test", "--resolve files.test:80:203.0.113.12 http://files.test", StringComparison.Ordinal)), []),
            };
            for (var round = 0; round < 3; round++)
            {
                foreach (var (_, run, speeds) in downloads)
                {
                    speeds.Add(double.Parse((await run()).Trim(), CultureInfo.InvariantCulture));
                }
            }

            foreach (var (name, _, speeds) in downloads)
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {speeds.Order().ElementAt(1) / 1e6:0} |");
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

    // The cgroup.procs file of the CPU cgroup a process is in (cgroup v1's cpu hierarchy, else the unified one).
    private static string CpuCgroupProcs(string pid)
    {
        var memberships = File.ReadAllLines($"/proc/{pid}/cgroup").Select(line => line.Split(':', 3)).ToList();
        var cpu = memberships.FirstOrDefault(m => m[1].Split(',').Contains("cpu"));
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Select(line =>
        {
            var fields = line.Split(' ');
            var tail = line[(line.IndexOf(" - ", StringComparison.Ordinal) + 3)..].Split(' ');
            return (Target: fields[4], Type: tail[0], Options: tail[2].Split(','));
        }).ToList();
        var (path, mount) = cpu is not null
            ? (cpu[2], mounts.First(m => m.Type == "cgroup" && m.Options.Contains("cpu")))
            : (memberships.First(m => m[0] == "0")[2], mounts.First(m => m.Type == "cgroup2"));
        return Path.Combine(mount.Target, path.TrimStart('/'), "cgroup.procs");
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
