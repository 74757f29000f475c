using System.Diagnostics;
using System.Globalization;
using System.Text;
using Paddock.Runtime;
using Paddock.Runtime.Host;
using Paddock.Runtime.Native;

namespace Paddock.Bench;

/// <summary>
/// What the trust boundary adds to a create, each step next to the plain step it replaces, in the same run:
/// a bundle as a btrfs subvolume with a disk quota and a capped log subvolume (against plain directories on
/// the same volume), and a template view id-mapped to a sandbox's own host id range (made once per range:
/// a spare range reuses its view, which costs nothing).
/// </summary>
internal static class IsolationBench
{
    private const int Rounds = 50;
    private const int ViewRounds = 10;

    public static async Task<string> RunAsync(string dataDir, string templatesDir)
    {
        var options = new RuntimeOptions { DataDir = dataDir };
        var volume = new SandboxVolume(options);
        await volume.MountAsync(CancellationToken.None);
        var quota = new Stats("bundle with quota");
        var plain = new Stats("plain directories");
        var sandboxes = Path.Combine(dataDir, "sandboxes");
        for (var i = 0; i < Rounds; i++)
        {
            var id = $"ibenchquota{i}";
            var watch = Stopwatch.StartNew();
            volume.CreateBundle(id, 10L << 30, 4L << 20);
            quota.Add(watch.Elapsed.TotalMilliseconds);
            volume.DeleteBundle(id);

            var dir = Path.Combine(sandboxes, $"ibenchplain{i}");
            watch.Restart();
            Directory.CreateDirectory(Path.Combine(dir, "log"));
            plain.Add(watch.Elapsed.TotalMilliseconds);
            Directory.Delete(dir, recursive: true);
        }

        var view = new Stats("id-mapped view");
        var rootfs = Path.Combine(templatesDir, "base", "rootfs");
        for (var i = 0; i < ViewRounds; i++)
        {
            var target = Path.Combine(dataDir, $"bench-view-{i}");
            var watch = Stopwatch.StartNew();
            await IdMappedMount.EnsureAsync(rootfs, target, options.HostIdPoolEnd + (i * (long)HostIdSlots.RangeSize), HostIdSlots.RangeSize, CancellationToken.None);
            view.Add(watch.Elapsed.TotalMilliseconds);
            Libc.Umount2(target, Libc.MntDetach);
            Directory.Delete(target);
        }

        var report = new StringBuilder();
        report.AppendLine("| step | p50 | p95 | the plain step | p50 | p95 |");
        report.AppendLine("|---|---|---|---|---|---|");
        report.AppendLine(CultureInfo.InvariantCulture,
            $"| bundle: subvolume + disk quota + log subvolume + log cap (n={Rounds}) | {quota.P50:0.00} ms | {quota.P95:0.00} ms | two `mkdir`s on the same volume | {plain.P50:0.00} ms | {plain.P95:0.00} ms |");
        report.AppendLine(CultureInfo.InvariantCulture,
            $"| template view id-mapped to a new host id range (n={ViewRounds}) | {view.P50:0.00} ms | {view.P95:0.00} ms | a spare range's view, reused | 0 ms | 0 ms |");
        return report.ToString();
    }
}
