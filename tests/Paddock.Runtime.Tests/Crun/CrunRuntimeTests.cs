using Paddock.Core.SandboxRuntime;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;
using Paddock.Runtime.Native;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime.Tests.Crun;

/// <summary>The crun runtime on real containers: needs root and crun, and fails loudly without them.</summary>
public sealed class CrunRuntimeTests : IAsyncLifetime
{
    private CrunTestHost _host = null!;

    private RuntimeOptions Options => _host.Options;

    public async Task InitializeAsync() => _host = await CrunTestHost.StartAsync();

    public Task DisposeAsync()
    {
        _host.Stop();
        return Task.CompletedTask;
    }

    private CrunRuntime Runtime(RuntimeOptions? options = null) => _host.Runtime(options);

    private static SandboxSpec Spec(string id) => new() { SandboxId = id, TemplateId = "base", CpuCount = 1, MemoryMB = 256, DiskSizeMB = 1024 };

    // Mounts inside the sandbox volume (the volume itself is a mount point at sandboxes/).
    private List<string> MountsInVolume()
    {
        var volume = Path.Combine(Options.DataDir, "sandboxes");
        return MountTable.MountPointsUnder(volume).Where(p => p != volume).ToList();
    }

    private static string Freezer(string id) => File.ReadAllText($"/sys/fs/cgroup/freezer/paddock/{id}/freezer.state").Trim();

    [Fact]
    public async Task Create_Pause_Resume_Delete_LeavesNothing()
    {
        var runtime = Runtime();
        var id = "itestlifecycle" + Random.Shared.Next(100000, 999999);
        await runtime.CreateAsync(Spec(id), CancellationToken.None);

        Assert.Equal(RuntimeSandboxStatus.Running, (await runtime.ListAsync(CancellationToken.None))[id]);
        Assert.Equal("THAWED", Freezer(id));

        // The overlay is the container's root, and is in no table but the container's own: the host's table,
        // which every new container copies, does not grow with the sandboxes.
        Assert.False(MountTable.IsMountPoint(Path.Combine(Options.DataDir, "sandboxes", id, "rootfs")));
        Assert.Contains(File.ReadLines($"/proc/{_host!.InitPidOf(id)}/mountinfo"), l => l.Split(' ')[4] == "/" && l.Contains(" - overlay ", StringComparison.Ordinal));

        await runtime.PauseAsync(id, CancellationToken.None);
        Assert.Equal(RuntimeSandboxStatus.Paused, (await runtime.ListAsync(CancellationToken.None))[id]);
        Assert.Equal("FROZEN", Freezer(id));

        await runtime.ResumeAsync(id, CancellationToken.None);
        Assert.Equal(RuntimeSandboxStatus.Running, (await runtime.ListAsync(CancellationToken.None))[id]);

        await runtime.PauseAsync(id, CancellationToken.None);
        await runtime.DeleteAsync(id, CancellationToken.None);
        Assert.False((await runtime.ListAsync(CancellationToken.None)).ContainsKey(id));
        Assert.Empty(MountsInVolume());
        Assert.False(Directory.Exists(Path.Combine(Options.DataDir, "sandboxes", id)));
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/paddock/{id}"));

        // Deleting what is gone succeeds: kill is safe to repeat.
        await runtime.DeleteAsync(id, CancellationToken.None);

        // The agent's log outlives the sandbox.
        var log = await runtime.ReadLogAsync(id, CancellationToken.None).ToListAsync();
        var ready = Assert.Single(log, e => e.Message == "Agent ready");
        Assert.Equal("agent", ready.Fields["source"]);
    }

    [Fact]
    public async Task Pause_ReturnsOnlyOnceEveryProcessIsFrozen()
    {
        var runtime = Runtime();
        var id = "itestfreeze" + Random.Shared.Next(100000, 999999);
        await runtime.CreateAsync(Spec(id), CancellationToken.None);
        try
        {
            // Busy processes over the sandbox's one CPU: v1's freezer reaches each only when it next runs, so the
            // group is FREEZING for a while after crun pause returns (half the time in a run by hand).
            for (var i = 0; i < 4; i++)
            {
                var (exit, output) = await RunAsync("crun", "--root", Options.ResolvedCrunRoot, "exec", "-d", id, "/bin/sh", "-c", "exec </dev/null >/dev/null 2>&1; while :; do :; done");
                Assert.True(exit == 0, output);
            }

            for (var round = 0; round < 20; round++)
            {
                await runtime.PauseAsync(id, CancellationToken.None);
                Assert.Equal("FROZEN", Freezer(id));
                Assert.Equal(RuntimeSandboxStatus.Paused, (await runtime.ListAsync(CancellationToken.None))[id]);
                await runtime.ResumeAsync(id, CancellationToken.None);
            }
        }
        finally
        {
            await runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Create_WritesToTheUpperLayerOnly_TemplateStaysClean()
    {
        var runtime = Runtime();
        var id = "itestupper" + Random.Shared.Next(100000, 999999);
        await runtime.CreateAsync(Spec(id), CancellationToken.None);
        try
        {
            var (exit, _) = await RunAsync("crun", "--root", Options.ResolvedCrunRoot, "exec", id, "/bin/sh", "-c", "echo x > /etc/written-in-sandbox");
            Assert.Equal(0, exit);
            Assert.True(File.Exists(Path.Combine(runtime.UpperDirOf(id), "etc", "written-in-sandbox")));
            Assert.False(File.Exists(Path.Combine(Options.ResolvedTemplatesDir, "base", "rootfs", "etc", "written-in-sandbox")));

            // Files the sandbox's root writes belong to the sandbox's own unprivileged host range.
            var hostRoot = runtime.HostIdBaseOf(id)!.Value;
            Assert.InRange(hostRoot, Options.HostIdPoolStart, Options.HostIdPoolEnd - HostIdSlots.RangeSize);
            var (_, owner) = await RunAsync("stat", "-c", "%u:%g", Path.Combine(runtime.UpperDirOf(id), "etc", "written-in-sandbox"));
            Assert.Equal($"{hostRoot}:{hostRoot}", owner.Trim());
        }
        finally
        {
            await runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task CreateFailure_CleansUpEverythingItBuilt()
    {
        var failing = new RuntimeOptions
        {
            DataDir = Options.DataDir,
            TemplatesDir = Options.TemplatesDir,
            CrunRoot = Options.CrunRoot,
            CrunPath = "/bin/false",
            AgentPath = Options.AgentPath,
        };
        var id = "itestfail" + Random.Shared.Next(100000, 999999);
        await Assert.ThrowsAnyAsync<Exception>(() => Runtime(failing).CreateAsync(Spec(id), CancellationToken.None));
        Assert.Empty(MountsInVolume());
        Assert.False(Directory.Exists(Path.Combine(Options.DataDir, "sandboxes", id)));
    }

    [Fact]
    public async Task Snapshot_HoldsTheLayerOnly_NoneOfTheSourcesSecrets()
    {
        var runtime = Runtime();
        var id = "itestsecret" + Random.Shared.Next(100000, 999999);
        var token = System.Security.Cryptography.RandomNumberGenerator.GetHexString(64, lowercase: true);
        var secretEnv = "env-" + System.Security.Cryptography.RandomNumberGenerator.GetHexString(32, lowercase: true);
        var spec = Spec(id) with { EnvdAccessToken = token, EnvVars = new Dictionary<string, string> { ["API_SECRET"] = secretEnv } };
        var snapshot = new Core.Snapshots.SnapshotRecord { Id = "isecret" + Random.Shared.Next(100000, 999999) + ":default", SandboxId = id, TemplateId = "base", CreatedAt = DateTimeOffset.UtcNow };
        await runtime.CreateAsync(spec, CancellationToken.None);
        try
        {
            var (exit, _) = await RunAsync("crun", "--root", Options.ResolvedCrunRoot, "exec", id, "/bin/sh", "-c", "echo kept > /home/user/kept.txt && sync");
            Assert.Equal(0, exit);
            await runtime.SnapshotAsync(snapshot, freeze: true, CancellationToken.None);

            var layers = Path.Combine(Options.DataDir, "sandboxes", SandboxLayers.DirectoryName);
            var layer = Assert.Single(Directory.GetDirectories(layers));
            Assert.Equal(["upper"], Directory.GetFileSystemEntries(layer).Select(Path.GetFileName));
            Assert.Equal("kept\n", File.ReadAllText(Path.Combine(layer, "upper", "home", "user", "kept.txt")));
            var files = Directory.EnumerateFiles(layers, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 }).ToList();
            Assert.NotEmpty(files);
            foreach (var file in files.Where(f => new FileInfo(f).LinkTarget is null))
            {
                var text = System.Text.Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file));
                Assert.False(text.Contains(token, StringComparison.Ordinal), $"{file} holds the source's access token");
                Assert.False(text.Contains(secretEnv, StringComparison.Ordinal), $"{file} holds the source's env var");
            }

            // Read-only, as before: nothing can change a layer sandboxes stand on.
            Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(layer, "upper", "new.txt"), "x"));
        }
        finally
        {
            await runtime.DeleteSnapshotAsync(snapshot.Id, CancellationToken.None);
            await runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Create_MountsOnlyTheSuperblocksASandboxNeeds_AndMakesDevShm()
    {
        var runtime = Runtime();
        var id = "itestsuper" + Random.Shared.Next(100000, 999999);
        await runtime.CreateAsync(Spec(id), CancellationToken.None);
        try
        {
            // A superblock is a device number the host's own table does not have. Each one a sandbox mounts makes the
            // kernel's shrinker map of every memory cgroup bigger for as long as the host runs (see HostSetup).
            static Dictionary<string, string> Superblocks(string mountinfo) => File.ReadLines(mountinfo)
                .Select(l => (Device: l.Split(' ')[2], Type: l[(l.IndexOf(" - ", StringComparison.Ordinal) + 3)..].Split(' ')[0], Point: l.Split(' ')[4]))
                .GroupBy(m => m.Device).ToDictionary(g => g.Key, g => $"{g.First().Type} {g.First().Point}");
            var host = Superblocks("/proc/self/mountinfo");
            var own = Superblocks($"/proc/{_host.InitPidOf(id)}/mountinfo").Where(s => !host.ContainsKey(s.Key)).Select(s => s.Value).Order(StringComparer.Ordinal);
            Assert.Equal(["devpts /dev/pts", "mqueue /dev/mqueue", "overlay /", "proc /proc", "sysfs /sys", "tmpfs /dev", "tmpfs /sys/fs/cgroup"], own);

            // /dev/shm is a directory of /dev's tmpfs, as open as its own mount was; the masked directories are empty;
            // the sandbox sees its own cgroups (its limit, read-only; work's task list, writable) and no other hierarchy.
            var (exit, output) = await RunAsync("crun", "--root", Options.ResolvedCrunRoot, "exec", id, "/bin/sh", "-c",
                "stat -c %a /dev/shm; for d in /proc/acpi /sys/firmware; do [ -d $d ] && ls -A $d; done; touch /proc/acpi/x 2>/dev/null || echo masked; "
                + "ls /sys/fs/cgroup | tr '\\n' ' '; echo; cat /sys/fs/cgroup/memory/memory.limit_in_bytes; "
                + "(echo 1 > /sys/fs/cgroup/memory/memory.limit_in_bytes) 2>/dev/null || echo limit-read-only; [ -w /sys/fs/cgroup/memory/work/tasks ] && echo work-writable");
            Assert.Equal(0, exit);
            Assert.Equal("1777\nmasked\ncpu cpuacct memory pids \n268435456\nlimit-read-only\nwork-writable", output.Trim());
        }
        finally
        {
            await runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    private static async Task<(int, string)> RunAsync(string file, params string[] args)
    {
        var result = await CommandRunner.TryRunAsync(file, args, CancellationToken.None);
        return (result.ExitCode, result.Output + result.Error);
    }
}
