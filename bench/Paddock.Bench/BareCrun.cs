using System.Diagnostics;
using System.Text.Json.Nodes;
using Paddock.Core.Runtime;
using Paddock.Runtime;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;

namespace Paddock.Bench;

/// <summary>
/// The bare primitive under a Paddock sandbox, done the way an operator would by hand: mount the
/// overlay, <c>crun create</c>, <c>crun start</c> (and pause/resume), over the same id-mapped template
/// layer and the same OCI config Paddock generates. Its cost is the baseline of the ratios.
/// </summary>
internal sealed class BareCrun(string workDir, string lowerDir, string crunRoot, string agentPath)
{
    private readonly RuntimeOptions _options = new() { DataDir = workDir, CrunRoot = crunRoot, AgentPath = agentPath };

    public async Task<double> CreateAsync(string id)
    {
        var bundle = Path.Combine(workDir, id);
        var upper = Path.Combine(bundle, "upper");
        var work = Path.Combine(bundle, "work");
        var rootfs = Path.Combine(bundle, "rootfs");
        var channel = Path.Combine(bundle, "channel");
        foreach (var dir in new[] { upper, work, rootfs, channel })
        {
            Directory.CreateDirectory(dir);
        }

        await RunAsync("chown", "100000:100000", upper, work, channel);
        var spec = new SandboxSpec { SandboxId = id, TemplateId = "base", CpuCount = 2, MemoryMB = 512 };
        JsonObject config = OciSpec.Build(spec, rootfs, channel, _options, new HostFacts(SwapAccounting: true, NoFileLimit: 4096));
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), config.ToJsonString());

        // Timed: the three steps of the bare sequence.
        var watch = Stopwatch.StartNew();
        await RunAsync("mount", "-t", "overlay", "overlay", "-o", $"lowerdir={lowerDir},upperdir={upper},workdir={work}", rootfs);
        await RunAsync("/bin/sh", "-c", "exec \"$@\" </dev/null >/dev/null 2>&1", "sh", "crun", "--root", crunRoot, "create", "--bundle", bundle, id);
        await RunAsync("crun", "--root", crunRoot, "start", id);
        return watch.Elapsed.TotalMilliseconds;
    }

    public async Task<double> TimeAsync(params string[] crunArgs)
    {
        var watch = Stopwatch.StartNew();
        await RunAsync("crun", ["--root", crunRoot, .. crunArgs]);
        return watch.Elapsed.TotalMilliseconds;
    }

    public async Task DeleteAsync(string id)
    {
        await RunAsync("crun", "--root", crunRoot, "delete", "-f", id);
        await RunAsync("umount", Path.Combine(workDir, id, "rootfs"));
        Directory.Delete(Path.Combine(workDir, id), recursive: true);
    }

    private static async Task RunAsync(string file, params string[] args)
    {
        var result = await CommandRunner.TryRunAsync(file, args, CancellationToken.None);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {result.Error}");
        }
    }
}
