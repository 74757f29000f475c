using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Paddock.Core.Logs;
using Paddock.Core.Network;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Runtime.Channel;
using Paddock.Runtime.Host;
using Paddock.Runtime.Native;
using Paddock.Runtime.Network;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime.Crun;

/// <summary>
/// Sandboxes as crun containers: an overlay root filesystem over the template's view id-mapped to the
/// sandbox's own host id range, a user namespace mapping root to that unprivileged range,
/// pid/mount/ipc/uts/cgroup/network namespaces, cgroup v1 limits with a reserve for the agent, a seccomp
/// filter and the container default capabilities. A sandbox's bundle is a btrfs subvolume with a disk
/// quota: <c>&lt;data&gt;/sandboxes/&lt;id&gt;/{config.json, upper/, work/, rootfs/ (the overlay, mounted in the sandbox's mount namespace only), log/output.log, agent.sock,
/// tunnel.sock, init.json, init.pid}</c>. Its log is copied to <c>&lt;data&gt;/logs/&lt;id&gt;.log</c> when it is
/// deleted, and outlives it there.
/// </summary>
public sealed partial class CrunRuntime : ISandboxRuntime, IDisposable
{
    private const string PidFile = "init.pid";
    private static readonly TimeSpan s_cpuSample = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_freezeWithin = TimeSpan.FromSeconds(10);

    private readonly RuntimeOptions _options;
    private readonly TemplateCatalog _templates;
    private readonly HostSetup _host;
    private readonly SandboxVolume _volume;
    private readonly HostIdSlots _slots;
    private readonly SandboxNetworking _network;
    private readonly ILogger _logger;
    private readonly InitWatcher _watcher = new();
    private readonly ConcurrentDictionary<string, int> _slotOf = new(StringComparer.Ordinal);

    // Sandboxes whose init was found running at start: only they still have a network to pick up.
    private readonly ConcurrentDictionary<string, byte> _live = new(StringComparer.Ordinal);

    internal CrunRuntime(RuntimeOptions options, TemplateCatalog templates, HostSetup host, SandboxVolume volume, HostIdSlots slots, SandboxNetworking network, ILogger<CrunRuntime> logger)
    {
        _network = network;
        _options = options;
        _templates = templates;
        _host = host;
        _volume = volume;
        _slots = slots;
        _logger = logger;
    }

    private string Root => _options.ResolvedCrunRoot;

    /// <inheritdoc />
    public async Task CreateAsync(SandboxSpec spec, CancellationToken cancellationToken)
    {
        var id = spec.SandboxId;
        var bundle = _options.BundleOf(id);
        var slot = _slots.Claim();
        _slotOf[id] = slot;
        try
        {
            var hostRoot = _slots.BaseOf(slot);
            _volume.CreateBundle(id, spec.DiskSizeMB * 1024L * 1024, _options.LogLimitBytes);
            var upper = Path.Combine(bundle, "upper");
            var work = Path.Combine(bundle, "work");
            var rootfs = Path.Combine(bundle, "rootfs");
            foreach (var dir in new[] { upper, work, rootfs })
            {
                Directory.CreateDirectory(dir);
            }

            // Root inside the sandbox is hostRoot outside: it must own what it writes to.
            foreach (var dir in new[] { upper, work })
            {
                if (Libc.Chown(dir, (uint)hostRoot, (uint)hostRoot) != 0)
                {
                    throw Libc.Error($"chown {dir}");
                }
            }

            await BootAsync(spec, slot, cancellationToken);
        }
        catch
        {
            // Never leave a half-made sandbox: whatever was built is removed, whatever the failure.
            await DeleteAsync(id, CancellationToken.None);
            throw;
        }
    }

    // Mounts the root filesystem over the sandbox's layer and runs its container until its agent answers: the
    // second half of a create, and all of a cold start over a kept layer. beforeStart runs once the host has
    // written everything it writes, before the sandbox's first process starts.
    private async Task BootAsync(SandboxSpec spec, int slot, CancellationToken cancellationToken, Action? beforeStart = null)
    {
        var id = spec.SandboxId;
        var bundle = _options.BundleOf(id);
        var hostRoot = _slots.BaseOf(slot);
        var upper = Path.Combine(bundle, "upper");
        var work = Path.Combine(bundle, "work");
        var rootfs = Path.Combine(bundle, "rootfs");
        var lower = await _templates.ViewForAsync(spec.TemplateId, slot, hostRoot, cancellationToken);
        if (spec.SnapshotId is { } snapshotId)
        {
            lower = await SnapshotLowerDirsAsync(id, snapshotId, hostRoot, cancellationToken) + ":" + lower;
        }

        var networkFiles = _network.Enabled ? WriteNetworkFiles(bundle, id, hostRoot) : ((string, string)?)null;
        var config = OciSpec.Build(spec, rootfs, hostRoot, _options, _host.Facts, networkFiles);
        await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), config.ToJsonString(), cancellationToken);
        using (var listeners = await AgentChannel.PrepareAsync(bundle, spec, _options.LogLimitBytes, _options.AgentSleepAfter, cancellationToken))
        {
            await CreateContainerAsync(id, bundle, listeners, $"lowerdir={lower},upperdir={upper},workdir={work}", cancellationToken);
        }

        // Its namespace exists from create on; it gets its network before anything in it runs.
        await _network.AttachAsync(id, bundle, ReadPid(bundle), spec.Egress, cancellationToken);
        SandboxCgroups.CreateWorkGroups(id, spec.MemoryMB * 1024L * 1024, _options.PidsLimit, _host.Facts.SwapAccounting, (uint)hostRoot);
        beforeStart?.Invoke();
        await CrunAsync(cancellationToken, "start", id);
        _watcher.Watch(id, ReadPid(bundle));

        // A sandbox counts as created once its agent answers.
        try
        {
            await AgentChannel.WaitReadyAsync(bundle, id, _options.AgentReadyTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"{ex.Message}; its output: {await LogTailAsync(_options.LiveLogOf(id))}", ex);
        }
    }

    /// <inheritdoc />
    public Task<Stream> ConnectAsync(string sandboxId, int port, CancellationToken cancellationToken) =>
        AgentChannel.ConnectAsync(_options.BundleOf(sandboxId), sandboxId, port, cancellationToken);

    /// <inheritdoc />
    public Task PauseAsync(string sandboxId, CancellationToken cancellationToken) => FreezeAsync(sandboxId, cancellationToken);

    /// <inheritdoc />
    public Task ResumeAsync(string sandboxId, CancellationToken cancellationToken) => CrunAsync(cancellationToken, "resume", sandboxId);

    /// <inheritdoc />
    public Task UpdateEgressAsync(string sandboxId, EgressRules rules, CancellationToken cancellationToken) =>
        _network.UpdateAsync(sandboxId, _options.BundleOf(sandboxId), rules, cancellationToken);

    /// <inheritdoc />
    public async Task DeleteAsync(string sandboxId, CancellationToken cancellationToken)
    {
        await RemoveContainerAsync(sandboxId, cancellationToken);
        await KeepLogAsync(sandboxId);
        _volume.DeleteBundle(sandboxId);
        if (_slotOf.TryRemove(sandboxId, out var slot) && !_slots.Release(slot))
        {
            _templates.ReleaseViews(slot);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<SandboxLogEntry> ReadLogAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var live = _options.LiveLogOf(sandboxId);
        return SandboxLogFile.ReadAsync(File.Exists(live) ? live : _options.KeptLogOf(sandboxId), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, RuntimeSandboxStatus>> ListAsync(CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, RuntimeSandboxStatus>(StringComparer.Ordinal);
        if (Directory.Exists(_options.SandboxesDir))
        {
            foreach (var dir in Directory.EnumerateDirectories(_options.SandboxesDir).Where(d => !Path.GetFileName(d).StartsWith('.')))
            {
                // A bundle with its layer and no container is a sandbox stopped with its files kept.
                found[Path.GetFileName(dir)] = Directory.Exists(Path.Combine(dir, "upper")) ? RuntimeSandboxStatus.FilesOnly : RuntimeSandboxStatus.Stopped;
            }
        }

        var json = await CommandRunner.RunAsync(_options.CrunPath, ["--root", Root, "list", "--format", "json"], cancellationToken);
        using var document = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "[]" : json);
        foreach (var container in document.RootElement.EnumerateArray())
        {
            var id = container.GetProperty("id").GetString()!;
            found[id] = container.GetProperty("status").GetString() switch
            {
                "running" => RuntimeSandboxStatus.Running,
                "paused" => RuntimeSandboxStatus.Paused,
                _ => RuntimeSandboxStatus.Stopped,
            };
        }

        return found;
    }

    /// <inheritdoc />
    public async Task<SandboxUsage> GetUsageAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var cpuUsage = Path.Combine(SandboxCgroups.PathOf("cpuacct", sandboxId), "cpuacct.usage");
        var before = SandboxCgroups.Read(cpuUsage);
        var watch = Stopwatch.StartNew();
        await Task.Delay(s_cpuSample, cancellationToken);
        var after = SandboxCgroups.Read(cpuUsage);
        if (before < 0 || after < 0)
        {
            throw new InvalidOperationException($"the cgroups of sandbox {sandboxId} are gone");
        }

        var cpu = SandboxCgroups.PathOf("cpu", sandboxId);
        var quota = SandboxCgroups.Read(Path.Combine(cpu, "cpu.cfs_quota_us"));
        var period = SandboxCgroups.Read(Path.Combine(cpu, "cpu.cfs_period_us"));
        var cpuCount = quota > 0 && period > 0 ? (int)Math.Max(1, quota / period) : Environment.ProcessorCount;

        var memory = SandboxCgroups.PathOf("memory", sandboxId);
        var cache = Math.Max(0, SandboxCgroups.Read(Path.Combine(memory, "memory.stat"), "total_cache"));
        return new SandboxUsage
        {
            Timestamp = DateTimeOffset.UtcNow,
            CpuCount = cpuCount,
            CpuUsedPercent = (after - before) / (watch.Elapsed.TotalMilliseconds * 1_000_000 * cpuCount) * 100,
            MemoryUsedBytes = Math.Max(0, SandboxCgroups.Read(Path.Combine(memory, "memory.usage_in_bytes")) - cache),
            MemoryTotalBytes = SandboxCgroups.Read(Path.Combine(memory, "memory.limit_in_bytes")),
            MemoryCacheBytes = cache,
            DiskUsedBytes = _volume.UsedBytes(sandboxId),
            DiskTotalBytes = _volume.LimitBytes(sandboxId),
        };
    }

    /// <inheritdoc />
    public Task<SandboxDisk> GetDiskAsync(string sandboxId, CancellationToken cancellationToken) =>
        Directory.Exists(UpperDirOf(sandboxId))
            ? Task.FromResult(new SandboxDisk(_volume.UsedBytes(sandboxId), _volume.LimitBytes(sandboxId)))
            : Task.FromException<SandboxDisk>(new InvalidOperationException($"sandbox {sandboxId} has no writable layer here"));

    /// <inheritdoc />
    public async IAsyncEnumerable<SandboxExit> WatchExitsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var sandboxId in _watcher.Exited.ReadAllAsync(cancellationToken))
        {
            // Read before anything removes the cgroups: a kill at the sandbox's own limit could take the agent.
            var outOfMemory = SandboxCgroups.OomKillsAtSandboxLimit(sandboxId) > 0;
            var lastWords = await LogTailAsync(_options.LiveLogOf(sandboxId), maxChars: 500);
            yield return new SandboxExit(
                sandboxId,
                outOfMemory ? KillReason.OutOfMemory : KillReason.AgentExited,
                lastWords.Length > 0 ? $"its init ended; its last output: {lastWords}" : "its init ended");
        }
    }

    /// <summary>crun's state directory for this server's containers.</summary>
    public string CrunRoot => Root;

    /// <summary>The host path of a sandbox's writable layer.</summary>
    public string UpperDirOf(string sandboxId) => Path.Combine(_options.BundleOf(sandboxId), "upper");

    /// <summary>The first host id of the range a sandbox's users map to (root inside is this id outside).</summary>
    public long? HostIdBaseOf(string sandboxId) => _slotOf.TryGetValue(sandboxId, out var slot) ? _slots.BaseOf(slot) : null;

    /// <summary>
    /// Picks up the sandboxes this data dir already holds (after a restart of the server): their id ranges,
    /// and a watch on every init still running.
    /// </summary>
    internal void Recover()
    {
        if (Directory.Exists(_options.SandboxesDir))
        {
            foreach (var bundle in Directory.EnumerateDirectories(_options.SandboxesDir))
            {
                var id = Path.GetFileName(bundle);
                var upper = Path.Combine(bundle, "upper");
                if (Directory.Exists(upper) && _slots.SlotOf(Libc.OwnerOf(upper)) is { } slot)
                {
                    _slotOf[id] = slot;
                }

                if (TryReadPid(bundle) is { } pid && IsInitOf(pid, id))
                {
                    _live[id] = 0;
                    _watcher.Watch(id, pid);
                }
            }
        }

        _slots.Recover(_slotOf.Values.ToHashSet());
    }

    /// <inheritdoc />
    public void Dispose() => _watcher.Dispose();

    // Ends a sandbox's processes and removes its container, cgroups and mounts; its bundle (layer, log) stays.
    private async Task RemoveContainerAsync(string sandboxId, CancellationToken cancellationToken)
    {
        _watcher.Forget(sandboxId);
        if (Directory.Exists(Path.Combine(Root, sandboxId)))
        {
            // delete -f kills every process of the container (a paused one too) and removes its cgroups.
            var result = await CommandRunner.TryRunAsync(_options.CrunPath, ["--root", Root, "delete", "-f", sandboxId], cancellationToken);
            if (result.ExitCode != 0 && Directory.Exists(Path.Combine(Root, sandboxId)))
            {
                throw new CommandFailedException(_options.CrunPath, result.ExitCode, result.Error.Trim());
            }
        }

        var bundle = _options.BundleOf(sandboxId);
        _live.TryRemove(sandboxId, out _);
        await _network.DetachAsync(sandboxId, bundle);
        foreach (var mountPoint in MountTable.MountPointsUnder(bundle))
        {
            if (Libc.Umount2(mountPoint, Libc.MntDetach) != 0)
            {
                throw Libc.Error($"unmounting {mountPoint}");
            }
        }

        foreach (var (path, reason) in await SandboxCgroups.RemoveAsync(sandboxId, TimeSpan.FromSeconds(2), cancellationToken))
        {
            LogCgroupLeft(_logger, path, reason);
        }
    }

    // crun create, with the channel's listeners and the agent's settings as descriptors 3-5 of the container's
    // init (crun closes every other inherited descriptor), and its output appended to the sandbox's log. The
    // overlay root is mounted, and crun run, in a mount namespace of the sandbox's own (see SandboxMountNamespace).
    private async Task CreateContainerAsync(string id, string bundle, ChannelListeners listeners, string overlayOptions, CancellationToken cancellationToken)
    {
        var log = _options.LiveLogOf(id);
        var rootfs = Path.Combine(bundle, "rootfs");
        const int Append = Libc.OWrOnly | Libc.OCreat | Libc.OAppend;
        var pid = await SandboxMountNamespace.RunAsync(() =>
        {
            if (Libc.Mount("overlay", rootfs, "overlay", 0, overlayOptions) != 0)
            {
                throw Libc.Error($"mounting the overlay root filesystem of {id}");
            }

            // crun writes the sandbox's sysctls from inside its new network namespace through /proc/sys. Done through
            // the host's proc, every namespace leaves a dentry of its own for /proc/sys/net, all with one name and
            // parent and so in one hash chain, which every later lookup there walks (crun's, the server's own): at
            // 3000 sandboxes that walk was the largest single cost of a create, and the dentries outlived their
            // namespaces. A proc of this namespace's own takes them, and goes with it once crun create is done.
            if (Libc.Mount("proc", "/proc", "proc", Libc.MsNosuid | Libc.MsNodev | Libc.MsNoexec, null) != 0)
            {
                throw Libc.Error($"mounting a proc for the create of {id}");
            }

            return PosixSpawn.Start(
            _options.CrunPath,
            ["--root", Root, "create", "--bundle", bundle, "--pid-file", Path.Combine(bundle, PidFile), "--preserve-fds", "3", id],
            [
                new PosixSpawn.OpenFile(0, "/dev/null", Libc.ORdOnly),
                new PosixSpawn.OpenFile(1, log, Append, 0x1a0),
                new PosixSpawn.OpenFile(2, log, Append, 0x1a0),
                new PosixSpawn.Duplicate(AgentChannel.AgentFd, listeners.Agent),
                new PosixSpawn.Duplicate(AgentChannel.TunnelFd, listeners.Tunnel),
                new PosixSpawn.OpenFile(AgentChannel.InitFd, AgentChannel.InitFile(bundle), Libc.ORdOnly),
            ]);
        });
        var status = await PosixSpawn.WaitAsync(pid, cancellationToken);
        if (status != 0)
        {
            throw new CommandFailedException(_options.CrunPath, status, await LogTailAsync(log));
        }
    }

    // Frozen means every process stopped, not only asked to stop; a sandbox that cannot be frozen is left running.
    private async Task FreezeAsync(string sandboxId, CancellationToken cancellationToken)
    {
        await CrunAsync(cancellationToken, "pause", sandboxId);
        try
        {
            await SandboxCgroups.WaitFrozenAsync(sandboxId, s_freezeWithin, cancellationToken);
        }
        catch
        {
            await CrunAsync(CancellationToken.None, "resume", sandboxId);
            throw;
        }
    }

    private async Task CrunAsync(CancellationToken cancellationToken, params string[] args)
    {
        await CommandRunner.RunAsync(_options.CrunPath, ["--root", Root, .. args], cancellationToken);
    }

    // The sandbox's resolver and host names, its own files (owned by its root) in its bundle, bind-mounted in.
    private (string ResolvConf, string Hosts) WriteNetworkFiles(string bundle, string id, long hostRoot)
    {
        var resolvConf = Path.Combine(bundle, "resolv.conf");
        var hosts = Path.Combine(bundle, "hosts");
        File.WriteAllText(resolvConf, _network.ResolvConf);
        File.WriteAllText(hosts, $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t{id}\n");
        foreach (var file in new[] { resolvConf, hosts })
        {
            if (Libc.Chown(file, (uint)hostRoot, (uint)hostRoot) != 0)
            {
                throw Libc.Error($"chown {file}");
            }
        }

        return (resolvConf, hosts);
    }

    /// <summary>The bundles of the sandboxes whose init was running when the server started.</summary>
    internal IEnumerable<string> LiveBundles() => _live.Keys.Select(_options.BundleOf);

    // The log is written from inside the sandbox, so the kept copy is the host's own file, bounded like the live one.
    private async Task KeepLogAsync(string sandboxId)
    {
        var live = _options.LiveLogOf(sandboxId);
        if (!File.Exists(live))
        {
            return;
        }

        Directory.CreateDirectory(_options.LogsDir);
        var kept = _options.KeptLogOf(sandboxId);
        await using (var source = new FileStream(live, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None))
        await using (var target = new FileStream(kept + ".new", FileMode.Create, FileAccess.Write))
        {
            source.Seek(Math.Max(0, source.Length - _options.LogLimitBytes), SeekOrigin.Begin);
            await source.CopyToAsync(target);
        }

        File.Move(kept + ".new", kept, overwrite: true);
    }

    private static async Task<string> LogTailAsync(string path, int maxChars = 2000)
    {
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.None);
            file.Seek(Math.Max(0, file.Length - maxChars), SeekOrigin.Begin);
            using var reader = new StreamReader(file);
            return (await reader.ReadToEndAsync()).Trim();
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return string.Empty;
        }
    }

    private static int ReadPid(string bundle) =>
        TryReadPid(bundle) ?? throw new InvalidOperationException($"crun left no pid file in {bundle}");

    private static int? TryReadPid(string bundle)
    {
        var path = Path.Combine(bundle, PidFile);
        return File.Exists(path) && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
    }

    // After a reboot or a long downtime a pid file may name an unrelated process: it must be in the sandbox's cgroup.
    private static bool IsInitOf(int pid, string sandboxId)
    {
        try
        {
            return File.ReadLines($"/proc/{pid}/cgroup").Any(l => l.EndsWith(":pids:" + SandboxCgroups.RelativePath(sandboxId), StringComparison.Ordinal));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    [LoggerMessage(20, LogLevel.Warning, "Could not remove cgroup {Path}: {Reason}")]
    private static partial void LogCgroupLeft(ILogger logger, string path, string reason);
}
