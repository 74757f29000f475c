using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Paddock.Bench;

/// <summary>
/// Filesystem-only pause and cold resume, snapshots, creates from a snapshot and fork, through Paddock's API,
/// each next to the primitive underneath timed in the same run (crun delete / a bare crun create over an
/// existing layer, a read-only btrfs snapshot by the btrfs tool); and the disk that ten sandboxes made from
/// one snapshot take, against ten sandboxes that each hold their own copy of the same files.
/// </summary>
internal static class PersistenceBench
{
    private const int Rounds = 10;
    private const int WrittenMB = 100;

    public static async Task<string> RunAsync(PaddockServer server, BareCrun bare, string dataDir)
    {
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("X-API-Key", PaddockServer.ApiKey);
        var rows = new StringBuilder();
        rows.AppendLine("| operation | Paddock API p50 | Paddock API p95 | primitive | primitive p50 | primitive p95 |");
        rows.AppendLine("|---|---|---|---|---|---|");

        // Filesystem-only pause and the cold resume after it, of an idle sandbox.
        var pause = new Stats("pause");
        var resume = new Stats("resume");
        var barePause = new Stats("bare delete");
        var bareResume = new Stats("bare create");
        var sandbox = await server.CreateAsync();
        for (var i = 0; i < Rounds; i++)
        {
            pause.Add(await TimeAsync(() => PostAsync(http, $"/sandboxes/{sandbox}/pause", new { memory = false })));
            resume.Add(await TimeAsync(() => PostAsync(http, $"/v2/sandboxes/{sandbox}/connect", new { timeout = 600 })));
            bareResume.Add(await bare.CreateAsync($"ibarecold{i}"));
            var watch = Stopwatch.StartNew();
            await bare.DeleteAsync($"ibarecold{i}");
            barePause.Add(watch.Elapsed.TotalMilliseconds);
        }

        rows.AppendLine(Row($"filesystem pause, idle (n={Rounds})", pause, "`crun delete -f` + umount + rm", barePause));
        rows.AppendLine(Row($"cold resume (connect), idle (n={Rounds})", resume, "mount overlay + `crun create` + `crun start`", bareResume));

        // A snapshot of a sandbox that wrote 100 MB, next to btrfs's own read-only snapshot of the same subvolume.
        var (writer, token) = await server.CreateWithTokenAsync();
        using (var agent = AgentClient.ThroughApi(server.Address, writer, token))
        {
            await agent.RunAsync("/bin/bash", "-c", $"head -c {WrittenMB}M /dev/urandom > /home/user/data.bin && sync");
        }

        var snapshot = new Stats("snapshot");
        var btrfsSnapshot = new Stats("btrfs snapshot");
        string? lastSnapshot = null;
        var volume = Path.Combine(dataDir, "sandboxes");
        for (var i = 0; i < Rounds; i++)
        {
            if (lastSnapshot is not null)
            {
                await DeleteAsync(http, $"/templates/{lastSnapshot}");
            }

            var watch = Stopwatch.StartNew();
            lastSnapshot = await SnapshotAsync(http, writer);
            snapshot.Add(watch.Elapsed.TotalMilliseconds);

            var target = Path.Combine(volume, $".bench-snap-{i}");
            watch.Restart();
            await RunAsync("btrfs", "subvolume", "snapshot", "-r", Path.Combine(volume, writer), target);
            btrfsSnapshot.Add(watch.Elapsed.TotalMilliseconds);
            await RunAsync("btrfs", "subvolume", "delete", target);
        }

        rows.AppendLine(Row($"snapshot of a running sandbox with {WrittenMB} MB written (n={Rounds})", snapshot, "`btrfs subvolume snapshot -r` of its subvolume", btrfsSnapshot));

        // Creates from that snapshot against creates from the template, interleaved.
        var fromSnapshot = new Stats("from snapshot");
        var fromTemplate = new Stats("from template");
        var made = new List<string>();
        for (var i = 0; i < Rounds; i++)
        {
            var watch = Stopwatch.StartNew();
            made.Add((await server.CreateWithTokenAsync(lastSnapshot!)).Id);
            fromSnapshot.Add(watch.Elapsed.TotalMilliseconds);
            watch.Restart();
            made.Add(await server.CreateAsync());
            fromTemplate.Add(watch.Elapsed.TotalMilliseconds);
        }

        rows.AppendLine(Row($"create from the snapshot (n={Rounds})", fromSnapshot, "create from the template, same run", fromTemplate));
        foreach (var id in made)
        {
            await server.KillAsync(id);
        }

        // Fork: the wall time of one POST /fork, for 1 and for 10 forks.
        var forks = new StringBuilder();
        foreach (var count in new[] { 1, 10 })
        {
            var watch = Stopwatch.StartNew();
            var ids = await ForkAsync(http, writer, count);
            var ms = watch.Elapsed.TotalMilliseconds;
            forks.AppendLine(CultureInfo.InvariantCulture, $"| fork ×{count} of the sandbox with {WrittenMB} MB written | {ms:0} ms for all {count} ({ms / count:0} ms each) | {ids.Count} running |");
            foreach (var id in ids)
            {
                await server.KillAsync(id);
            }
        }

        // Disk: ten sandboxes from one snapshot of 100 MB, against ten that each wrote the same 100 MB themselves.
        var before = await UsedBytesAsync(volume);
        var shared = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            shared.Add((await server.CreateWithTokenAsync(lastSnapshot!)).Id);
        }

        var sharedBytes = await UsedBytesAsync(volume) - before;
        foreach (var id in shared)
        {
            await server.KillAsync(id);
        }

        before = await UsedBytesAsync(volume);
        var copies = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            var (id, copyToken) = await server.CreateWithTokenAsync();
            using var agent = AgentClient.ThroughApi(server.Address, id, copyToken);
            await agent.RunAsync("/bin/bash", "-c", $"head -c {WrittenMB}M /dev/urandom > /home/user/data.bin && sync");
            copies.Add(id);
        }

        var copyBytes = await UsedBytesAsync(volume) - before;
        foreach (var id in copies)
        {
            await server.KillAsync(id);
        }

        await DeleteAsync(http, $"/templates/{lastSnapshot}");
        await server.KillAsync(writer);
        await server.KillAsync(sandbox);

        return $"""
            {rows}
            | fork | wall time of `POST /sandboxes/{"{id}"}/fork` | result |
            |---|---|---|
            {forks}
            | disk on the sandbox volume | used |
            |---|---|
            | 10 sandboxes created from one snapshot of {WrittenMB} MB | {sharedBytes / 1048576.0:0.0} MiB |
            | 10 sandboxes each holding its own copy of {WrittenMB} MB | {copyBytes / 1048576.0:0.0} MiB |
            """;
    }

    private static string Row(string name, Stats api, string primitive, Stats baseline) => string.Create(CultureInfo.InvariantCulture,
        $"| {name} | {api.P50:0.0} ms | {api.P95:0.0} ms | {primitive} | {baseline.P50:0.0} ms | {baseline.P95:0.0} ms |");

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await action();
        return watch.Elapsed.TotalMilliseconds;
    }

    private static async Task PostAsync(HttpClient http, string path, object body)
    {
        using var response = await http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
    }

    private static async Task DeleteAsync(HttpClient http, string path)
    {
        using var response = await http.DeleteAsync(new Uri(path.Replace(":", "%3A", StringComparison.Ordinal), UriKind.Relative));
        response.EnsureSuccessStatusCode();
    }

    private static async Task<string> SnapshotAsync(HttpClient http, string sandbox)
    {
        using var response = await http.PostAsJsonAsync($"/sandboxes/{sandbox}/snapshots", new { });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("snapshotID").GetString()!;
    }

    private static async Task<List<string>> ForkAsync(HttpClient http, string sandbox, int count)
    {
        using var response = await http.PostAsJsonAsync($"/sandboxes/{sandbox}/fork", new { count, timeout = 600 });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.EnumerateArray().Select(e => e.GetProperty("sandbox").GetProperty("sandboxID").GetString()!).ToList();
    }

    // What the volume's filesystem has allocated, once everything written is on disk.
    private static async Task<long> UsedBytesAsync(string volume)
    {
        await RunAsync("sync", "-f", volume);
        await RunAsync("btrfs", "filesystem", "sync", volume);
        var drive = new DriveInfo(volume);
        return drive.TotalSize - drive.TotalFreeSpace;
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var result = await Paddock.Runtime.Host.CommandRunner.TryRunAsync(file, args, CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {result.Error}");
        }
    }
}
