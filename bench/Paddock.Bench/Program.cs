using System.Diagnostics;
using System.Globalization;
using System.Text;
using Paddock.Bench;

// Create-to-agent-ready, pause and resume through Paddock's API, next to the bare crun sequence over the
// same template layer and OCI config; then the agent's round trips, memory and start (AgentBench); in
// one run. Usage: Paddock.Bench [--results bench/RESULTS.md] [--persistence-only]
// --persistence-only runs only the persistence figures (PersistenceBench) and replaces that section of the results.
var resultsPath = args.SkipWhile(a => a != "--results").Skip(1).FirstOrDefault();
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

var agentReport = string.Empty;
var isolationReport = string.Empty;
var interpreterReport = string.Empty;
var persistenceReport = string.Empty;
var api = new Dictionary<string, Stats>();
var bare = new Dictionary<string, Stats>();
Stats Api(string name) => api.TryGetValue(name, out var s) ? s : api[name] = new Stats(name);
Stats Bare(string name) => bare.TryGetValue(name, out var s) ? s : bare[name] = new Stats(name);

await using (var server = await PaddockServer.StartAsync(dataDir, templatesDir, crunRoot, agentPath))
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

    Console.WriteLine($"{Sequential} sequential creates, API then bare...");
    var ids = new List<string>();
    for (var i = 0; i < Sequential; i++)
    {
        var watch = Stopwatch.StartNew();
        ids.Add(await server.CreateAsync());
        Api("create, sequential").Add(watch.Elapsed.TotalMilliseconds);
    }

    foreach (var id in ids)
    {
        await server.KillAsync(id);
    }

    for (var i = 0; i < Sequential; i++)
    {
        var id = $"ibare{i}";
        Bare("create, sequential").Add(await bareCrun.CreateAsync(id));
        await bareCrun.DeleteAsync(id);
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

    Directory.Delete(dataDir, recursive: true);
    foreach (var root in new[] { crunRoot, bareRoot })
    {
        if (Directory.Exists(root))
        {
            Directory.Delete(root, recursive: true);
        }
    }

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

        {persistenceSection}
        """;
    await File.WriteAllTextAsync(resultsPath, text.Replace("\n        ", "\n", StringComparison.Ordinal).TrimStart());
    Console.WriteLine($"Wrote {resultsPath}");
}

Directory.Delete(dataDir, recursive: true);
foreach (var root in new[] { crunRoot, bareRoot })
{
    if (Directory.Exists(root))
    {
        Directory.Delete(root, recursive: true);
    }
}
