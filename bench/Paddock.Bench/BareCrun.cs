using System.Diagnostics;
using System.Text.Json.Nodes;
using Paddock.Core.SandboxRuntime;
using Paddock.Runtime;
using Paddock.Runtime.Channel;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;
using Paddock.Runtime.Native;

namespace Paddock.Bench;

/// <summary>
/// The bare primitive under a Paddock sandbox, done the way an operator would by hand: mount the
/// overlay, <c>crun create</c> (handed the agent's channel listeners, as every sandbox's init is),
/// <c>crun start</c> (and pause/resume), over an id-mapped template view and the same OCI config Paddock
/// generates. Its cost is the baseline of the ratios. Everything Paddock adds around those steps (its disk
/// quota subvolume, id range claim, work cgroups, waiting for the agent) is left out.
/// </summary>
internal sealed class BareCrun(string workDir, string lowerDir, long hostIdBase, string crunRoot, string agentPath)
{
    private readonly RuntimeOptions _options = new() { DataDir = workDir, CrunRoot = crunRoot, AgentPath = agentPath };

    /// <summary>The template's view for the bare containers' own id range (made once, outside the timings).</summary>
    public static async Task<string> MountViewAsync(string templateRootfs, string target, long hostIdBase)
    {
        await IdMappedMount.EnsureAsync(templateRootfs, target, hostIdBase, HostIdSlots.RangeSize, CancellationToken.None);
        return target;
    }

    public async Task<double> CreateAsync(string id)
    {
        var bundle = Path.Combine(workDir, id);
        var upper = Path.Combine(bundle, "upper");
        var work = Path.Combine(bundle, "work");
        var rootfs = Path.Combine(bundle, "rootfs");
        foreach (var dir in new[] { upper, work, rootfs })
        {
            Directory.CreateDirectory(dir);
        }

        await RunAsync("chown", $"{hostIdBase}:{hostIdBase}", upper, work);
        var spec = new SandboxSpec { SandboxId = id, TemplateId = "base", CpuCount = 2, MemoryMB = 512, DiskSizeMB = 10240 };
        Directory.CreateDirectory(_options.EmptyDir);
        var masked = OciSpec.MaskedDirectories.Where(Directory.Exists).ToArray();
        JsonObject config = OciSpec.Build(spec, rootfs, hostIdBase, _options, new HostFacts(SwapAccounting: true, NoFileLimit: 4096, MaskedDirectories: masked));
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), config.ToJsonString());
        using var listeners = await AgentChannel.PrepareAsync(bundle, spec, _options.LogLimitBytes, _options.AgentSleepAfter, CancellationToken.None);

        // Timed: the three steps of the bare sequence.
        var watch = Stopwatch.StartNew();
        await RunAsync("mount", "-t", "overlay", "overlay", "-o", $"lowerdir={lowerDir},upperdir={upper},workdir={work}", rootfs);
        var pid = PosixSpawn.Start("crun", ["--root", crunRoot, "create", "--bundle", bundle, "--preserve-fds", "3", id],
        [
            new PosixSpawn.OpenFile(0, "/dev/null", Libc.ORdOnly),
            new PosixSpawn.OpenFile(1, "/dev/null", Libc.OWrOnly),
            new PosixSpawn.OpenFile(2, "/dev/null", Libc.OWrOnly),
            new PosixSpawn.Duplicate(AgentChannel.AgentFd, listeners.Agent),
            new PosixSpawn.Duplicate(AgentChannel.TunnelFd, listeners.Tunnel),
            new PosixSpawn.OpenFile(AgentChannel.InitFd, AgentChannel.InitFile(bundle), Libc.ORdOnly),
        ]);
        if (await PosixSpawn.WaitAsync(pid, CancellationToken.None) != 0)
        {
            throw new InvalidOperationException($"crun create {id} failed");
        }

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
