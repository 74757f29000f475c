using Microsoft.Extensions.Logging.Abstractions;
using Paddock.Core.Runtime;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;
using Paddock.Runtime.Native;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime.Tests.Crun;

/// <summary>The crun runtime on real containers: needs root and crun, and fails loudly without them.</summary>
public sealed class CrunRuntimeTests : IAsyncLifetime
{
    private readonly RuntimeOptions _options;
    private TemplateCatalog _templates = null!;
    private HostSetup _host = null!;
    private SandboxVolume _volume = null!;
    private HostIdSlots _slots = null!;

    public CrunRuntimeTests()
    {
        var dataDir = Directory.CreateTempSubdirectory("paddock-runtime-").FullName;
        _options = new RuntimeOptions
        {
            DataDir = dataDir,
            TemplatesDir = Environment.GetEnvironmentVariable("PADDOCK_TEST_TEMPLATES_DIR") is { Length: > 0 } t ? t : "/var/lib/paddock/templates",
            CrunRoot = $"/run/paddock-test/{Path.GetFileName(dataDir)}",
            AgentPath = FindAgent(),
        };
    }

    private static string FindAgent()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var agent = Path.Combine(dir.FullName, "artifacts", "agent", "paddock-agent");
            if (File.Exists(agent))
            {
                return agent;
            }
        }

        throw new InvalidOperationException("artifacts/agent/paddock-agent is missing: run dotnet publish src/Paddock.Agent -c Release -o artifacts/agent");
    }

    public async Task InitializeAsync()
    {
        if (Libc.GetEffectiveUserId() != 0)
        {
            throw new InvalidOperationException("The crun runtime tests create real containers and must run as root.");
        }

        _host = new HostSetup(_options);
        await _host.PrepareAsync(CancellationToken.None);
        _volume = new SandboxVolume(_options);
        await _volume.MountAsync(CancellationToken.None);
        _slots = new HostIdSlots(_options);
        _templates = new TemplateCatalog(_options, new TemplateBuilder(_options, NullLogger<TemplateBuilder>.Instance));
        Assert.NotNull(await _templates.ResolveAsync("base", CancellationToken.None));
    }

    public Task DisposeAsync()
    {
        _templates.ReleaseMounts();
        _slots.ReleaseSpares();
        _volume.UnmountIfEmpty();
        Assert.Empty(MountTable.MountPointsUnder(_options.DataDir));
        Directory.Delete(_options.DataDir, recursive: true);
        if (Directory.Exists(_options.ResolvedCrunRoot))
        {
            Directory.Delete(_options.ResolvedCrunRoot, recursive: true);
        }

        return Task.CompletedTask;
    }

    private CrunRuntime Runtime(RuntimeOptions? options = null) =>
        new(options ?? _options, _templates, _host, _volume, _slots, NullLogger<CrunRuntime>.Instance);

    private static SandboxSpec Spec(string id) => new() { SandboxId = id, TemplateId = "base", CpuCount = 1, MemoryMB = 256, DiskSizeMB = 1024 };

    // Mounts inside the sandbox volume (the volume itself is a mount point at sandboxes/).
    private List<string> MountsInVolume()
    {
        var volume = Path.Combine(_options.DataDir, "sandboxes");
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
        Assert.True(MountTable.IsMountPoint(Path.Combine(_options.DataDir, "sandboxes", id, "rootfs")));

        await runtime.PauseAsync(id, CancellationToken.None);
        Assert.Equal(RuntimeSandboxStatus.Paused, (await runtime.ListAsync(CancellationToken.None))[id]);
        Assert.Equal("FROZEN", Freezer(id));

        await runtime.ResumeAsync(id, CancellationToken.None);
        Assert.Equal(RuntimeSandboxStatus.Running, (await runtime.ListAsync(CancellationToken.None))[id]);

        await runtime.PauseAsync(id, CancellationToken.None);
        await runtime.DeleteAsync(id, CancellationToken.None);
        Assert.False((await runtime.ListAsync(CancellationToken.None)).ContainsKey(id));
        Assert.Empty(MountsInVolume());
        Assert.False(Directory.Exists(Path.Combine(_options.DataDir, "sandboxes", id)));
        Assert.False(Directory.Exists($"/sys/fs/cgroup/memory/paddock/{id}"));

        // Deleting what is gone succeeds: kill is safe to repeat.
        await runtime.DeleteAsync(id, CancellationToken.None);

        // The agent's log outlives the sandbox.
        var log = await runtime.ReadLogAsync(id, CancellationToken.None).ToListAsync();
        var ready = Assert.Single(log, e => e.Message == "Agent ready");
        Assert.Equal("agent", ready.Fields["source"]);
    }

    [Fact]
    public async Task Create_WritesToTheUpperLayerOnly_TemplateStaysClean()
    {
        var runtime = Runtime();
        var id = "itestupper" + Random.Shared.Next(100000, 999999);
        await runtime.CreateAsync(Spec(id), CancellationToken.None);
        try
        {
            var (exit, _) = await RunAsync("crun", "--root", _options.ResolvedCrunRoot, "exec", id, "/bin/sh", "-c", "echo x > /etc/written-in-sandbox");
            Assert.Equal(0, exit);
            Assert.True(File.Exists(Path.Combine(runtime.UpperDirOf(id), "etc", "written-in-sandbox")));
            Assert.False(File.Exists(Path.Combine(_options.ResolvedTemplatesDir, "base", "rootfs", "etc", "written-in-sandbox")));

            // Files the sandbox's root writes belong to the sandbox's own unprivileged host range.
            var hostRoot = runtime.HostIdBaseOf(id)!.Value;
            Assert.InRange(hostRoot, _options.HostIdPoolStart, _options.HostIdPoolEnd - HostIdSlots.RangeSize);
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
            DataDir = _options.DataDir,
            TemplatesDir = _options.TemplatesDir,
            CrunRoot = _options.CrunRoot,
            CrunPath = "/bin/false",
            AgentPath = _options.AgentPath,
        };
        var id = "itestfail" + Random.Shared.Next(100000, 999999);
        await Assert.ThrowsAnyAsync<Exception>(() => Runtime(failing).CreateAsync(Spec(id), CancellationToken.None));
        Assert.Empty(MountsInVolume());
        Assert.False(Directory.Exists(Path.Combine(_options.DataDir, "sandboxes", id)));
    }

    private static async Task<(int, string)> RunAsync(string file, params string[] args)
    {
        var result = await CommandRunner.TryRunAsync(file, args, CancellationToken.None);
        return (result.ExitCode, result.Output + result.Error);
    }
}
