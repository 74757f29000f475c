using System.Text.Json;
using Microsoft.Extensions.Logging;
using Paddock.Core.Logs;
using Paddock.Core.Runtime;
using Paddock.Runtime.Channel;
using Paddock.Runtime.Host;
using Paddock.Runtime.Native;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime.Crun;

/// <summary>
/// Sandboxes as crun containers: an overlay root filesystem over the template's id-mapped view, a
/// user namespace mapping root to an unprivileged host range, pid/mount/ipc/uts/cgroup/network
/// namespaces, cgroup v1 limits, a seccomp filter and the container default capabilities.
/// Layout of one sandbox: <c>&lt;data&gt;/sandboxes/&lt;id&gt;/{config.json, upper/, work/, rootfs/, channel/}</c>, and its
/// log, <c>&lt;data&gt;/logs/&lt;id&gt;.log</c>, which outlives it.
/// </summary>
public sealed partial class CrunRuntime : ISandboxRuntime
{
    private static readonly string[] s_cgroupControllers = ["cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids", "hugetlb", "systemd"];

    private readonly RuntimeOptions _options;
    private readonly TemplateCatalog _templates;
    private readonly HostSetup _host;
    private readonly ILogger _logger;

    internal CrunRuntime(RuntimeOptions options, TemplateCatalog templates, HostSetup host, ILogger<CrunRuntime> logger)
    {
        _options = options;
        _templates = templates;
        _host = host;
        _logger = logger;
    }

    private string Root => _options.ResolvedCrunRoot;

    /// <inheritdoc />
    public async Task CreateAsync(SandboxSpec spec, CancellationToken cancellationToken)
    {
        var id = spec.SandboxId;
        var bundle = _options.BundleOf(id);
        try
        {
            var upper = Path.Combine(bundle, "upper");
            var work = Path.Combine(bundle, "work");
            var rootfs = Path.Combine(bundle, "rootfs");
            var channel = Path.Combine(bundle, "channel");
            foreach (var dir in new[] { upper, work, rootfs, channel })
            {
                Directory.CreateDirectory(dir);
            }

            // Root inside the sandbox is HostIdBase outside: it must own what it writes to.
            foreach (var dir in new[] { upper, work, channel })
            {
                Chown(dir);
            }

            var lower = _templates.LowerDirOf(spec.TemplateId);
            if (Libc.Mount("overlay", rootfs, "overlay", 0, $"lowerdir={lower},upperdir={upper},workdir={work}") != 0)
            {
                throw Libc.Error($"mounting the overlay root filesystem of {id}");
            }

            await AgentChannel.WriteInitAsync(channel, spec, (uint)_options.HostIdBase, cancellationToken);
            var config = OciSpec.Build(spec, rootfs, channel, _options, _host.Facts);
            await File.WriteAllTextAsync(Path.Combine(bundle, "config.json"), config.ToJsonString(), cancellationToken);

            Directory.CreateDirectory(_options.LogsDir);
            await CommandRunner.RunDetachedAsync(
                _options.CrunPath, ["--root", Root, "create", "--bundle", bundle, id], _options.LogOf(id), cancellationToken);
            await CrunAsync(cancellationToken, "start", id);

            // A sandbox counts as created once its agent answers.
            try
            {
                await AgentChannel.WaitReadyAsync(channel, id, _options.AgentReadyTimeout, cancellationToken);
            }
            catch (TimeoutException ex)
            {
                var log = _options.LogOf(id);
                var output = File.Exists(log) ? (await File.ReadAllTextAsync(log, CancellationToken.None)).Trim() : string.Empty;
                throw new InvalidOperationException($"{ex.Message}; its output: {(output.Length > 2000 ? output[^2000..] : output)}", ex);
            }
        }
        catch
        {
            // Never leave a half-made sandbox: whatever was built is removed, whatever the failure.
            await DeleteAsync(id, CancellationToken.None);
            throw;
        }
    }

    /// <inheritdoc />
    public Task<Stream> ConnectAsync(string sandboxId, int port, CancellationToken cancellationToken) =>
        AgentChannel.ConnectAsync(ChannelDirOf(sandboxId), sandboxId, port, cancellationToken);

    /// <inheritdoc />
    public Task PauseAsync(string sandboxId, CancellationToken cancellationToken) => CrunAsync(cancellationToken, "pause", sandboxId);

    /// <inheritdoc />
    public Task ResumeAsync(string sandboxId, CancellationToken cancellationToken) => CrunAsync(cancellationToken, "resume", sandboxId);

    /// <inheritdoc />
    public async Task DeleteAsync(string sandboxId, CancellationToken cancellationToken)
    {
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
        foreach (var mountPoint in MountTable.MountPointsUnder(bundle))
        {
            if (Libc.Umount2(mountPoint, Libc.MntDetach) != 0)
            {
                throw Libc.Error($"unmounting {mountPoint}");
            }
        }

        RemoveCgroups(sandboxId);
        if (Directory.Exists(bundle))
        {
            Directory.Delete(bundle, recursive: true);
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerable<SandboxLogEntry> ReadLogAsync(string sandboxId, CancellationToken cancellationToken) =>
        SandboxLogFile.ReadAsync(_options.LogOf(sandboxId), cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, RuntimeSandboxStatus>> ListAsync(CancellationToken cancellationToken)
    {
        var found = new Dictionary<string, RuntimeSandboxStatus>(StringComparer.Ordinal);
        if (Directory.Exists(_options.SandboxesDir))
        {
            foreach (var dir in Directory.EnumerateDirectories(_options.SandboxesDir))
            {
                found[Path.GetFileName(dir)] = RuntimeSandboxStatus.Stopped;
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

    /// <summary>The host path of a sandbox's channel directory (mounted at <see cref="OciSpec.ChannelMountPoint"/>).</summary>
    public string ChannelDirOf(string sandboxId) => Path.Combine(_options.BundleOf(sandboxId), "channel");

    /// <summary>The host path of a sandbox's writable layer.</summary>
    public string UpperDirOf(string sandboxId) => Path.Combine(_options.BundleOf(sandboxId), "upper");

    /// <summary>crun's state directory for this server's containers.</summary>
    public string CrunRoot => Root;

    private async Task CrunAsync(CancellationToken cancellationToken, params string[] args)
    {
        await CommandRunner.RunAsync(_options.CrunPath, ["--root", Root, .. args], cancellationToken);
    }

    private void Chown(string path)
    {
        if (Libc.Chown(path, (uint)_options.HostIdBase, (uint)_options.HostIdBase) != 0)
        {
            throw Libc.Error($"chown {path}");
        }
    }

    private void RemoveCgroups(string sandboxId)
    {
        var relative = OciSpec.CgroupPath(sandboxId).TrimStart('/');
        foreach (var controller in s_cgroupControllers)
        {
            var path = Path.Combine("/sys/fs/cgroup", controller, relative);
            if (Directory.Exists(path))
            {
                try
                {
                    Directory.Delete(path);
                }
                catch (IOException ex)
                {
                    LogCgroupLeft(_logger, path, ex.Message);
                }
            }
        }
    }

    [LoggerMessage(20, LogLevel.Warning, "Could not remove cgroup {Path}: {Reason}")]
    private static partial void LogCgroupLeft(ILogger logger, string path, string reason);
}
