using System.Diagnostics;
using System.Globalization;
using System.Text;
using Paddock.Runtime.Crun;

namespace Paddock.Bench;

/// <summary>
/// Idle sandboxes created in steps up to a target population; at each step what one more create costs (next to the
/// bare primitive, alternated in the same loop), what a sandbox holds of the host's memory and tasks, a command's
/// round trip and the server's memory; then every sandbox deleted and what the host keeps of them. Stops early (and
/// still deletes everything) on Ctrl-C, SIGTERM or a create that fails.
/// </summary>
internal sealed class DensityBench(PaddockServer server, BareCrun bare, string sandboxesDir)
{
    private const int Interleaved = 10;
    private const int RoundTrips = 20;
    private const int UsedSandboxes = 10;
    private const int UsedCommands = 100;

    // The population must outlive the whole climb: on a slow host the steps to 3000 took more than the 10 min
    // the other benches give a sandbox, and the oldest expired under the bench.
    private const int PopulationLifetimeSeconds = 4 * 3600;
    private static readonly TimeSpan s_usedIdle = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan s_releaseWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan s_idleWindow = TimeSpan.FromSeconds(10);

    private const int WarmUpCreates = 50;

    private readonly List<(string Id, string Token)> _sandboxes = [];
    private readonly StringBuilder _steps = new();
    private readonly StringBuilder _notes = new();
    private HostSnapshot _baseline = HostSnapshot.Take();

    private Dictionary<string, long> _baselineSlab = [];

    public async Task<string> RunAsync(IReadOnlyList<int> steps, CancellationToken cancellationToken)
    {
        // The server compiles its code as it first runs it (tiered JIT: a quarter of all CPU during its first 100
        // creates), which made the first step's creates slower than the next step's: a warm server from the start.
        for (var i = 0; i < WarmUpCreates; i++)
        {
            await server.KillAsync(await server.CreateAsync());
            if (i < Interleaved)
            {
                var bareId = $"idensitywarm{i}";
                await bare.CreateAsync(bareId);
                await bare.DeleteAsync(bareId);
            }
        }

        _baseline = HostSnapshot.Take();
        _baselineSlab = HostSnapshot.UnreclaimableSlabKiB();
        _steps.AppendLine("| sandboxes | create p50 | create p95 | API create p50 (interleaved) | bare crun p50 (interleaved) | `unshare -m true` p50 | host memory per sandbox | sandbox cgroup memory (mean) | tasks per sandbox | `echo` round trip API p50: waking, awake | agent channel p50 | server RSS | host mounts | kernel memory per new memory cgroup | idle sandboxes' CPU | rest of the host's CPU meanwhile |");
        _steps.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var usedReport = string.Empty;
        try
        {
            foreach (var step in steps)
            {
                var creates = new Stats("create");
                while (_sandboxes.Count < step)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var watch = Stopwatch.StartNew();
                    _sandboxes.Add(await server.CreateWithTokenAsync(timeoutSeconds: PopulationLifetimeSeconds));
                    creates.Add(watch.Elapsed.TotalMilliseconds);
                }

                await RecordStepAsync(creates, cancellationToken);
                if (usedReport.Length == 0 && _sandboxes.Count >= UsedSandboxes * 10)
                {
                    usedReport = await UseSomeAsync(cancellationToken);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or HttpRequestException or InvalidOperationException)
        {
            _notes.AppendLine(CultureInfo.InvariantCulture, $"Stopped at {_sandboxes.Count} sandboxes: {ex.GetType().Name}: {ex.Message}");
        }

        var release = await DeleteAllAsync();
        return $"""
            Baseline before the first create: {_baseline.MemUsedKiB / 1024} MiB used, unreclaimable slab {_baseline.SlabUnreclaimableKiB / 1024} MiB, {_baseline.MemoryCgroups} memory cgroups, {_baseline.Mounts} mounts, {_baseline.Tasks} tasks.
            {_notes}
            {_steps}
            {usedReport}

            {release}
            """;
    }

    // Everything here is measured with the population at this step, the bare primitive alternated with the API.
    private async Task RecordStepAsync(Stats creates, CancellationToken cancellationToken)
    {
        var n = _sandboxes.Count;
        var api = new Stats("api");
        var primitive = new Stats("bare");
        var unshare = new Stats("unshare");
        for (var i = 0; i < Interleaved; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var watch = Stopwatch.StartNew();
            var id = await server.CreateAsync();
            api.Add(watch.Elapsed.TotalMilliseconds);
            await server.KillAsync(id);

            var bareId = $"idensity{n}x{i}";
            primitive.Add(await bare.CreateAsync(bareId));
            await bare.DeleteAsync(bareId);

            watch.Restart();
            using (var process = Process.Start("unshare", ["-m", "true"]))
            {
                await process.WaitForExitAsync(cancellationToken);
            }

            unshare.Add(watch.Elapsed.TotalMilliseconds);
        }

        // Idle means asleep: the newest sandbox's agent sleeps AgentSleepAfter (10 s) after its create, and every one before
        // it did already. Then, before the round trips below wake some of them: what the idle population costs.
        await WaitAsleepAsync(_sandboxes[^1].Id, cancellationToken);
        var idleCpu = await KernelProbe.CpuPercentAsync(_sandboxes.Select(s => s.Id).ToList(), s_idleWindow, cancellationToken);
        var newCgroupKiB = KernelProbe.KiBPerNewMemoryCgroup();
        var now = HostSnapshot.Take();
        var memoryKiB = (now.MemUsedKiB - _baseline.MemUsedKiB) / (double)n;
        var cgroupMiB = _sandboxes.Average(s => SandboxMemoryBytes(s.Id)) / (1024.0 * 1024);
        var tasks = _sandboxes.Sum(s => ReadNumber(Path.Combine(SandboxCgroups.PathOf("pids", s.Id), "pids.current"))) / (double)n;

        var waking = new Stats("api rtt waking");
        var throughApi = new Stats("api rtt");
        var overChannel = new Stats("channel rtt");
        foreach (var (id, token) in _sandboxes.OrderBy(_ => Random.Shared.Next()).Take(RoundTrips))
        {
            using var viaApi = AgentClient.ThroughApi(server.Address, id, token);
            using var direct = AgentClient.OverChannel(Path.Combine(sandboxesDir, id, "agent.sock"), token);
            var watch = Stopwatch.StartNew();
            Check(await viaApi.RunAsync("/bin/echo", "hi"));
            waking.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            Check(await viaApi.RunAsync("/bin/echo", "hi"));
            throughApi.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            Check(await direct.RunAsync("/bin/echo", "hi"));
            overChannel.Add(watch.Elapsed.TotalMilliseconds);
        }

        var row = string.Create(CultureInfo.InvariantCulture,
            $"| {n} | {creates.P50:0.0} ms | {creates.P95:0.0} ms | {api.P50:0.0} ms | {primitive.P50:0.0} ms | {unshare.P50:0.0} ms | {memoryKiB / 1024:0.00} MiB | {cgroupMiB:0.00} MiB | {tasks:0.0} | {waking.P50:0.00} ms, {throughApi.P50:0.00} ms | {overChannel.P50:0.00} ms | {HostSnapshot.ProcessKiB(server.ProcessId) / 1024.0:0} MiB | {now.Mounts} | {newCgroupKiB:0} KiB | {idleCpu.Sandboxes:0.0}% of a CPU | {idleCpu.RestOfHost:0}% of a CPU |");
        _steps.AppendLine(row);
        Console.WriteLine(row);
    }

    // Waits until a sandbox's agent sleeps (its pids cgroup down to the two tasks of the sleeping agent).
    private static async Task WaitAsleepAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var pids = Path.Combine(SandboxCgroups.PathOf("pids", sandboxId), "pids.current");
        for (var waited = Stopwatch.StartNew(); ReadNumber(pids) > 2; await Task.Delay(250, cancellationToken))
        {
            if (waited.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"the agent of {sandboxId} did not sleep within 60 s");
            }
        }
    }

    // A used sandbox: many commands and a 10 MiB file written and read back (then removed), then idle; what it holds
    // after, against what it held idle before.
    private async Task<string> UseSomeAsync(CancellationToken cancellationToken)
    {
        var used = _sandboxes.Take(UsedSandboxes).ToList();
        var before = used.Average(s => SandboxMemoryBytes(s.Id)) / (1024.0 * 1024);
        var anonBefore = used.Average(s => AgentKiB(s.Id, "RssAnon")) / 1024;
        var content = new byte[10 * 1024 * 1024];
        Random.Shared.NextBytes(content);
        foreach (var (id, token) in used)
        {
            using var client = AgentClient.ThroughApi(server.Address, id, token);
            for (var i = 0; i < UsedCommands; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Check(await client.RunAsync("/bin/echo", "hi"));
            }

            await client.WriteFileAsync("/tmp/big.bin", content);
            if (await client.ReadFileAsync("/tmp/big.bin") != content.Length)
            {
                throw new InvalidOperationException("the 10 MiB file came back with the wrong length");
            }

            await client.RunAsync("/bin/rm", "/tmp/big.bin");
        }

        var busy = used.Average(s => SandboxMemoryBytes(s.Id)) / (1024.0 * 1024);
        var anonBusy = used.Average(s => AgentKiB(s.Id, "RssAnon")) / 1024;
        await Task.Delay(s_usedIdle, cancellationToken);
        var after = used.Average(s => SandboxMemoryBytes(s.Id)) / (1024.0 * 1024);
        var anonAfter = used.Average(s => AgentKiB(s.Id, "RssAnon")) / 1024;
        var rssAfter = used.Average(s => AgentKiB(s.Id, "VmRSS")) / 1024;
        var tasksAfter = used.Average(s => ReadNumber(Path.Combine(SandboxCgroups.PathOf("pids", s.Id), "pids.current")));
        return string.Create(CultureInfo.InvariantCulture, $"""
            **Used sandboxes** ({UsedSandboxes} of them, at {_sandboxes.Count} live): {UsedCommands} `echo` commands and a 10 MiB file written,
            read back and removed (through the API port), then {s_usedIdle.TotalSeconds:0} s idle. Sandbox memory cgroup usage (the
            agent, its page cache and kernel memory): {before:0.00} MiB idle before, {busy:0.00} MiB right after, **{after:0.00} MiB
            after the idle time**; the agent's anonymous memory {anonBefore:0.00} → {anonBusy:0.00} → {anonAfter:0.00} MiB (RSS
            {rssAfter:0.00} MiB), tasks per used sandbox {tasksAfter:0.0}.
            """);
    }

    private async Task<string> DeleteAllAsync()
    {
        var count = _sandboxes.Count;
        var before = HostSnapshot.Take();
        var watch = Stopwatch.StartNew();
        await Parallel.ForEachAsync(_sandboxes, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (s, _) =>
        {
            try
            {
                await server.KillAsync(s.Id);
            }
            catch (HttpRequestException ex)
            {
                Console.WriteLine($"kill {s.Id}: {ex.Message}");
            }
        });
        var deleted = watch.Elapsed;
        _sandboxes.Clear();

        var table = new StringBuilder();
        table.AppendLine("| after the last delete | memory cgroups | unreclaimable slab | host memory used | mounts |");
        table.AppendLine("|---|---|---|---|---|");
        table.AppendLine(Row("before the deletes", before));
        watch.Restart();
        HostSnapshot now;
        var settledAt = TimeSpan.Zero;
        var nextRow = TimeSpan.FromSeconds(15);
        do
        {
            now = HostSnapshot.Take();
            if (settledAt == TimeSpan.Zero && Within(now.MemoryCgroups, _baseline.MemoryCgroups) && Within(now.SlabUnreclaimableKiB, _baseline.SlabUnreclaimableKiB))
            {
                settledAt = watch.Elapsed;
                table.AppendLine(Row($"{watch.Elapsed.TotalSeconds:0} s (within 5% of the baseline)", now));
            }
            else if (watch.Elapsed >= nextRow)
            {
                table.AppendLine(Row($"{watch.Elapsed.TotalSeconds:0} s", now));
                nextRow += TimeSpan.FromSeconds(15);
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
        while (watch.Elapsed < s_releaseWithin);

        table.AppendLine(Row($"{watch.Elapsed.TotalSeconds:0} s", now));
        table.AppendLine(Row("baseline (before the first create)", _baseline));
        var grown = HostSnapshot.UnreclaimableSlabKiB()
            .Select(c => (c.Key, Grown: c.Value - _baselineSlab.GetValueOrDefault(c.Key)))
            .OrderByDescending(c => c.Grown)
            .Take(4)
            .Select(c => $"`{c.Key}` {(c.Grown >= 0 ? "+" : string.Empty)}{c.Grown / 1024.0:0.0} MiB");
        table.AppendLine();
        table.AppendLine(CultureInfo.InvariantCulture, $"Unreclaimable slab caches grown most since the baseline (objects in use): {string.Join(", ", grown)}.");
        var verdict = settledAt > TimeSpan.Zero
            ? $"memory cgroups and unreclaimable slab were within 5% of the baseline {settledAt.TotalSeconds:0} s after the last delete"
            : "memory cgroups and unreclaimable slab were NOT within 5% of the baseline 60 s after the last delete";
        return string.Create(CultureInfo.InvariantCulture, $"""
            **Deleting all {count}** (4 at a time through the API) took {deleted.TotalSeconds:0.0} s; {verdict}.

            {table}
            """);

        static bool Within(long value, long baseline) => Math.Abs(value - baseline) <= baseline * 0.05;
        static string Row(string when, HostSnapshot s) => string.Create(CultureInfo.InvariantCulture,
            $"| {when} | {s.MemoryCgroups} | {s.SlabUnreclaimableKiB / 1024} MiB | {s.MemUsedKiB / 1024} MiB | {s.Mounts} |");
    }

    /// <summary>Deletes whatever is still alive (after an interrupt that did not let <see cref="RunAsync"/> finish).</summary>
    public async Task DeleteLeftAsync()
    {
        foreach (var (id, _) in _sandboxes.ToList())
        {
            try
            {
                await server.KillAsync(id);
            }
            catch (HttpRequestException)
            {
            }
        }

        _sandboxes.Clear();
    }

    private static double SandboxMemoryBytes(string id) => ReadNumber(Path.Combine(SandboxCgroups.PathOf("memory", id), "memory.usage_in_bytes"));

    private long AgentKiB(string id, string field) =>
        int.TryParse(File.ReadAllText(Path.Combine(sandboxesDir, id, "init.pid")).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            ? HostSnapshot.ProcessKiB(pid, field)
            : 0;

    private static long ReadNumber(string path)
    {
        try
        {
            return long.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            return 0;
        }
    }

    private static void Check(string stdout)
    {
        if (stdout != "hi\n")
        {
            throw new InvalidOperationException($"unexpected output: '{stdout}'");
        }
    }
}
