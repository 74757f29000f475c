using System.Diagnostics;
using System.Globalization;
using System.Text;
using Paddock.Bench;

// Create-to-agent-ready, pause and resume through Paddock's API, next to the bare crun sequence over the
// same template layer and OCI config (alternated in one loop, so both see the same load); then the agent's round
// trips, memory and start (AgentBench); in one run.
// Usage: Paddock.Bench [--results bench/RESULTS.md] [--network-only | --persistence-only | --density TARGET [--steps 100,500,...]]
// --density runs only the density bench (DensityBench), --persistence-only only the persistence figures
// (PersistenceBench); each replaces its own section of the results file and keeps the rest.
var resultsPath = args.SkipWhile(a => a != "--results").Skip(1).FirstOrDefault();
var densityTarget = args.SkipWhile(a => a != "--density").Skip(1).FirstOrDefault();
var persistenceOnly = args.Contains("--persistence-only");
const int Sequential = 50;
const int Concurrent = 10;
const int ConcurrentRounds = 3;
const int PauseRounds = 20;

var templatesDir = Environment.GetEnvironmentVariable("PADDOCK_TEMPLATES_DIR") is { Length: > 0 } t ? t : "/var/lib/paddock/templates";
var dataDir = Directory.CreateTempSubdirectory("paddock-bench-").FullName;
var crunRoot = $"/run/paddock-bench/{Path.GetFileName(dataDir)}";
var bareRoot = crunRoot + "-bare";
var agentPath = Path.GetFullPath(Environment.GetEnvironmentVariable("PADDOCK_AGENT_PATH") is { Length: > 0 } a ? a : "artifacts/agent/paddock-agent");

// Sandboxes reach only the tests' private internet (tests/internet), never the machine's real uplink.
var internetDir = Path.Combine(dataDir, "internet");
var internet = await TestInternet.StartAsync(internetDir);
var networkReport = string.Empty;
if (args.Contains("--network-only"))
{
    // Only the networking part, printed (for working on it); RESULTS.md is written by whole runs only.
    try
    {
        Console.WriteLine(await NetworkBench.RunAsync(dataDir, templatesDir, agentPath, internet));
    }
    finally
    {
        await CleanupAsync();
    }

    return;
}

if (densityTarget is not null)
{
    var target = int.Parse(densityTarget, CultureInfo.InvariantCulture);
    int[] defaultSteps = [100, 250, 500, 1000, 1500, 2000, 2500, 3000];
    var steps = args.SkipWhile(a => a != "--steps").Skip(1).FirstOrDefault() is { } list
        ? list.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray()
        : defaultSteps.Where(v => v < target).Append(target).ToArray();
    await RunDensityAsync(steps);
    return;
}

var agentReport = string.Empty;
var isolationReport = string.Empty;
var interpreterReport = string.Empty;
var ingressReport = string.Empty;
var persistenceReport = string.Empty;
var api = new Dictionary<string, Stats>();
var bare = new Dictionary<string, Stats>();
Stats Api(string name) => api.TryGetValue(name, out var s) ? s : api[name] = new Stats(name);
Stats Bare(string name) => bare.TryGetValue(name, out var s) ? s : bare[name] = new Stats(name);

var certificate = IngressBench.MakeCertificate(dataDir);
await using (var server = await PaddockServer.StartAsync(dataDir, templatesDir, crunRoot, agentPath, IngressBench.Domain, (certificate.Certificate, certificate.Key), new Dictionary<string, string>(internet) { ["PADDOCK_NETWORK_ADDRESS_POOL"] = "10.93.0.0/20" }))
{
    Console.WriteLine("Warming up (the first create may build the base template)...");
    for (var i = 0; i < 3; i++)
    {
        await server.KillAsync(await server.CreateAsync());
    }

    // The bare containers get an id range of their own, just above the pool Paddock's sandboxes use.
    var bareIdBase = new Paddock.Runtime.RuntimeOptions().HostIdPoolEnd;
    var lowerDir = await BareCrun.MountViewAsync(Path.Combine(templatesDir, "base", "rootfs"), Path.Combine(dataDir, "bare-view"), bareIdBase);
    var bareCrun = new BareCrun(Path.Combine(dataDir, "bare"), lowerDir, bareIdBase, bareRoot, agentPath);
    if (persistenceOnly)
    {
        Console.WriteLine("Persistence: filesystem pause, cold resume, snapshots, fork, disk...");
        persistenceReport = await PersistenceBench.RunAsync(server, bareCrun, dataDir);
        Paddock.Runtime.Native.Libc.Umount2(lowerDir, Paddock.Runtime.Native.Libc.MntDetach);
        goto Report;
    }

    // Alternated in one loop, so a change in the machine's load (it may be shared) weighs on both sides alike.
    Console.WriteLine($"{Sequential} sequential creates, API and bare alternated...");
    for (var i = 0; i < Sequential; i++)
    {
        var watch = Stopwatch.StartNew();
        var id = await server.CreateAsync();
        Api("create, sequential").Add(watch.Elapsed.TotalMilliseconds);
        await server.KillAsync(id);

        var bareId = $"ibare{i}";
        Bare("create, sequential").Add(await bareCrun.CreateAsync(bareId));
        await bareCrun.DeleteAsync(bareId);
    }

    Console.WriteLine($"{ConcurrentRounds} rounds of {Concurrent} concurrent creates...");
    for (var round = 0; round < ConcurrentRounds; round++)
    {
        var created = await Task.WhenAll(Enumerable.Range(0, Concurrent).Select(async _ =>
        {
            var watch = Stopwatch.StartNew();
            var id = await server.CreateAsync();
            Api("create, 10 concurrent").Add(watch.Elapsed.TotalMilliseconds);
            return id;
        }));
        foreach (var id in created)
        {
            await server.KillAsync(id);
        }

        var bareIds = Enumerable.Range(0, Concurrent).Select(i => $"ibarec{round}x{i}").ToArray();
        var times = await Task.WhenAll(bareIds.Select(bareCrun.CreateAsync));
        foreach (var ms in times)
        {
            Bare("create, 10 concurrent").Add(ms);
        }

        foreach (var id in bareIds)
        {
            await bareCrun.DeleteAsync(id);
        }
    }

    Console.WriteLine($"{PauseRounds} pause/resume rounds...");
    var sandbox = await server.CreateAsync();
    await bareCrun.CreateAsync("ibarepause");
    for (var i = 0; i < PauseRounds; i++)
    {
        var watch = Stopwatch.StartNew();
        await server.PostAsync($"/sandboxes/{sandbox}/pause");
        Api("pause").Add(watch.Elapsed.TotalMilliseconds);
        watch.Restart();
        await server.PostAsync($"/sandboxes/{sandbox}/resume", new { timeout = 600 });
        Api("resume").Add(watch.Elapsed.TotalMilliseconds);

        Bare("pause").Add(await bareCrun.TimeAsync("pause", "ibarepause"));
        Bare("resume").Add(await bareCrun.TimeAsync("resume", "ibarepause"));
    }

    await server.KillAsync(sandbox);
    await bareCrun.DeleteAsync("ibarepause");

    isolationReport = await IsolationBench.RunAsync(dataDir, templatesDir);
    agentReport = await AgentBench.RunAsync(server, dataDir, crunRoot, agentPath);
    interpreterReport = await InterpreterBench.RunAsync(server, dataDir);
    ingressReport = await IngressBench.RunAsync(server, dataDir, certificate.Thumbprint);
    networkReport = await NetworkBench.RunAsync(dataDir, templatesDir, agentPath, internet);
    persistenceReport = await PersistenceBench.RunAsync(server, bareCrun, dataDir);
    Paddock.Runtime.Native.Libc.Umount2(lowerDir, Paddock.Runtime.Native.Libc.MntDetach);
Report:;
}

var persistenceSection = $"""
    ## Persistence: filesystem pause, snapshots, fork

    Latest run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC. Command: `sudo ./bench/run.sh` (or `sudo ./bench/run.sh --persistence-only`
    for this section alone). **Paddock API** is the wall time of the HTTP call: a filesystem pause is
    `POST /sandboxes/{"{id}"}/pause {"{"}"memory":false{"}"}` (processes ended, container removed, the layer kept), a cold
    resume `POST /v2/sandboxes/{"{id}"}/connect` until the new agent answers; a snapshot `POST /sandboxes/{"{id}"}/snapshots`
    (freeze, read-only btrfs snapshot, thaw); a create from a snapshot `POST /v2/sandboxes` with its id until the
    agent answers. The **primitive** is the step underneath, timed in the same run. Disk is the sandbox volume's
    allocated bytes after a sync, before and after (btrfs reuses and frees metadata as it goes, so a figure near
    zero can come out a little below it: nothing of the snapshot's data was copied).

    {persistenceReport}
    """.Replace("\n    ", "\n", StringComparison.Ordinal);
Console.WriteLine(persistenceSection);

if (persistenceOnly)
{
    if (resultsPath is not null)
    {
        var existing = File.Exists(resultsPath) ? await File.ReadAllTextAsync(resultsPath) : string.Empty;
        var start = existing.IndexOf("## Persistence: filesystem pause, snapshots, fork", StringComparison.Ordinal);
        var end = start < 0 ? -1 : existing.IndexOf("\n## ", start + 3, StringComparison.Ordinal);
        var updated = start < 0
            ? existing.TrimEnd() + "\n\n" + persistenceSection
            : existing[..start] + persistenceSection.TrimEnd() + "\n" + (end < 0 ? string.Empty : existing[end..]);
        await File.WriteAllTextAsync(resultsPath, updated);
        Console.WriteLine($"Wrote {resultsPath}");
    }

    await CleanupAsync();

    return;
}

var report = new StringBuilder();
report.AppendLine("| operation | Paddock API p50 | Paddock API p95 | bare crun p50 | bare crun p95 | ratio p50 |");
report.AppendLine("|---|---|---|---|---|---|");
foreach (var (name, stats) in api)
{
    var baseline = bare[name];
    report.AppendLine(CultureInfo.InvariantCulture,
        $"| {name} (n={stats.Count}) | {stats.P50:0.0} ms | {stats.P95:0.0} ms | {baseline.P50:0.0} ms | {baseline.P95:0.0} ms | {stats.P50 / baseline.P50:0.00}× |");
}

Console.WriteLine();
Console.WriteLine(report);
Console.WriteLine(isolationReport);
Console.WriteLine(agentReport);
Console.WriteLine(interpreterReport);
Console.WriteLine(ingressReport);
Console.WriteLine(networkReport);

if (resultsPath is not null)
{
    var memKb = long.Parse(File.ReadLines("/proc/meminfo").First().Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    var machine = $"{Environment.ProcessorCount} CPUs, {memKb / 1024.0 / 1024.0:0} GiB RAM, Linux {Environment.OSVersion.Version}";
    var text = $"""
        # Benchmark results

        Latest run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, on {machine}.
        Command: `sudo ./bench/run.sh` (builds Release, then runs `Paddock.Bench --results bench/RESULTS.md`).

        **Paddock API** is the wall time of the HTTP call as a client sees it: `POST /v2/sandboxes` answers
        201 only once the sandbox's agent answers on its channel, so it is create-to-agent-ready; pause is `POST /sandboxes/{"{id}"}/pause`, resume
        `POST /sandboxes/{"{id}"}/resume`. **Bare crun** is the same work done by hand with the primitives underneath,
        timed in the same run: `mount -t overlay` + `crun create` + `crun start` (each a process, as an operator or
        script would run them) over an id-mapped template view and the same OCI config (whose init is the agent,
        handed its channel listeners, so both start it), without waiting for the agent to answer, and without what
        Paddock adds around those steps (the disk-quota subvolume, the sandbox's own host id range, the agent's
        reserve cgroups); and `crun pause` / `crun resume`.

        {report}
        ## What the trust boundary adds to a create

        Each step of a create that isolation added, timed next to the plain step it replaces, in the same run.

        {isolationReport}
        ## The agent

        **Through the API port** is what E2B's SDKs do: the request goes to Paddock's port with the
        `E2b-Sandbox-*` headers and the proxy forwards it over the sandbox's channel. **Agent channel** is the
        same request sent straight to the agent's unix socket on the host, the primitive under the proxy.

        {agentReport}

        ## The code interpreter

        **Paddock** is `POST /execute` with the cell and its `language` through the API port with the
        `E2b-Sandbox-*` headers, as E2B's code-interpreter SDK sends it, read to the end of the stream, in the
        language's default context (Java in a `code-interpreter-full` sandbox, the others in `base`). **Raw
        Jupyter** is the same cell sent to the same kernel by `jupyter_client`'s blocking client from inside the
        sandbox (execute, then wait for the reply and the idle status), the protocol's own round trip without
        Paddock in the way.

        {interpreterReport}

        ## The way into a sandbox's ports

        A GET to a small HTTP/1.1 server inside a sandbox created with `allowPublicTraffic: false`, with its traffic
        access token: **HTTPS by host name** is `https://8080-<id>.<domain>` on the server's HTTPS address (what
        `getHost()` gives, with the server's certificate), **HTTP by headers** the same request to the API port with
        the `E2b-Sandbox-*` headers, and **tunnel socket** the same GET sent straight into the sandbox's tunnel
        socket on the host (its handshake, then HTTP), the primitive under the proxy.

        {ingressReport}

        ## Sandbox networking

        Against the tests' private internet (`tests/internet`: a network namespace joined to the host by the
        uplink the servers are pointed at). **Create** alternates a server with networking and one without in
        one loop. **Latency** is curl's own clock (TCP connect, whole GET of a small answer), one curl per
        request, from inside a sandbox and from a **bare namespace** the benchmark routes and NATs to the same
        uplink by hand (`ip`, `nft`), with no Paddock in the path; a sandbox with a domain rule goes through the
        egress proxy (the server reads the Host header and dials the name).

        {networkReport}

        {persistenceSection}
        """;
    var previous = File.Exists(resultsPath) ? await File.ReadAllTextAsync(resultsPath) : string.Empty;
    var rewritten = text.Replace("\n        ", "\n", StringComparison.Ordinal).TrimStart();
    foreach (var heading in new[] { ResultsFile.DensityHeading, ResultsFile.TrustBoundaryHeading })
    {
        if (ResultsFile.Section(previous, heading) is { } kept)
        {
            rewritten = rewritten.TrimEnd() + "\n\n" + kept;
        }
    }

    await File.WriteAllTextAsync(resultsPath, rewritten);
    Console.WriteLine($"Wrote {resultsPath}");
}

await CleanupAsync();

// The density bench, on a server and a bare primitive of its own; everything it made is deleted on the way out,
// whether it finished, failed or was interrupted (Ctrl-C, SIGTERM).
async Task RunDensityAsync(IReadOnlyList<int> steps)
{
    using var interrupted = new CancellationTokenSource();
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        interrupted.Cancel();
    };
    using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        interrupted.Cancel();
    });

    var section = string.Empty;
    var bareIdBase = new Paddock.Runtime.RuntimeOptions().HostIdPoolEnd;
    var lowerDir = Path.Combine(dataDir, "bare-view");
    try
    {
        await using var server = await PaddockServer.StartAsync(
            dataDir, templatesDir, crunRoot, agentPath, environment: new Dictionary<string, string>(internet) { ["PADDOCK_NETWORK_ADDRESS_POOL"] = "10.94.0.0/20" });
        await server.KillAsync(await server.CreateAsync());
        await BareCrun.MountViewAsync(Path.Combine(templatesDir, "base", "rootfs"), lowerDir, bareIdBase);
        var density = new DensityBench(server, new BareCrun(Path.Combine(dataDir, "bare"), lowerDir, bareIdBase, bareRoot, agentPath), Path.Combine(dataDir, "sandboxes"));
        try
        {
            var started = DateTime.UtcNow;
            var loadAtStart = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            var report = await density.RunAsync(steps, interrupted.Token);
            var loadAtEnd = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            section = $"""
                {ResultsFile.DensityHeading}

                Latest run: {started:yyyy-MM-dd HH:mm} UTC, 1-minute load average {loadAtStart} at the start, {loadAtEnd} at the end.
                Command: `sudo ./bench/run.sh --density {steps[^1]}` (steps {string.Join(", ", steps)}).

                After 50 creates and deletes that warm the server up (and 10 of the bare primitive), idle sandboxes of the
                base template created one after another through the API up to each step; at each
                step: create p50/p95 of the creates that led to it; 10 more creates through the API alternated with the
                bare primitive (`mount -t overlay` in the host's namespace + `crun create` + `crun start`, then deleted) and
                with `unshare -m true` (the copy of the host's mount table every new container pays); then, once the newest
                sandbox's agent sleeps (10 s after its create: idle means asleep), host memory per
                sandbox (MemTotal − MemAvailable over the baseline, divided by the sandboxes; the machine is shared, so this
                carries what else ran); each sandbox's memory cgroup usage (its agent, page cache and kernel memory); host
                tasks per sandbox (its pids cgroup); `/bin/echo hi` started through the API port twice (the first wakes the
                agent) and once straight on the agent's channel, in 20 sandboxes; the server's RSS; the host's mount table; the kernel memory (`kmalloc-1k`) one more
                empty memory cgroup takes (20 made and removed: its shrinker map, sized for the most superblocks mounted at
                once since boot); the CPU all the idle sandboxes used over 10 s, and what the rest of the host (server, kernel threads,
                the machine's own agents) used meanwhile.

                {report}
                """.Replace("\n                ", "\n", StringComparison.Ordinal).TrimStart();
        }
        finally
        {
            await density.DeleteLeftAsync();
            Paddock.Runtime.Native.Libc.Umount2(lowerDir, Paddock.Runtime.Native.Libc.MntDetach);
        }
    }
    finally
    {
        await CleanupAsync();
    }

    Console.WriteLine(section);
    if (resultsPath is not null && section.Length > 0)
    {
        var previous = File.Exists(resultsPath) ? await File.ReadAllTextAsync(resultsPath) : string.Empty;
        await File.WriteAllTextAsync(resultsPath, ResultsFile.WithSection(previous, ResultsFile.DensityHeading, section, before: ResultsFile.TrustBoundaryHeading));
        Console.WriteLine($"Wrote {resultsPath}");
    }
}

async Task CleanupAsync()
{
    await TestInternet.StopAsync(internetDir);
    if (Directory.Exists(dataDir))
    {
        Directory.Delete(dataDir, recursive: true);
    }

    // The networking bench's two servers keep their crun state beside the others'.
    foreach (var root in new[] { crunRoot, bareRoot, crunRoot + "-net-on", crunRoot + "-net-off" })
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
