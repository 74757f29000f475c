using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;
using Paddock.Runtime.Network;
using Paddock.Runtime.Templates;

namespace Paddock.Runtime;

/// <summary>
/// Start and stop of the runtime as a whole, as a hosted service that starts before the lifecycle: host
/// checks, the sandbox volume, the sandboxes already there, the default template; and, on a clean stop
/// with no sandbox left, the template views, id ranges and the volume. Running sandboxes are left
/// running: they outlive the server and the next start picks them up.
/// </summary>
public sealed partial class RuntimeHost : IHostedService
{
    private readonly ILogger _logger;
    private readonly HostSetup _host;
    private readonly SandboxVolume _volume;
    private readonly HostIdSlots _slots;
    private readonly CrunRuntime _runtime;
    private readonly TemplateCatalog _templates;
    private readonly RuntimeOptions _options;
    private readonly SandboxNetworking _network;

    internal RuntimeHost(HostSetup host, SandboxVolume volume, HostIdSlots slots, CrunRuntime runtime, TemplateCatalog templates, RuntimeOptions options, SandboxNetworking network, ILogger<RuntimeHost> logger)
    {
        _network = network;
        _logger = logger;
        _host = host;
        _volume = volume;
        _slots = slots;
        _runtime = runtime;
        _templates = templates;
        _options = options;
    }

    /// <summary>Checks and prepares the host, picks up existing sandboxes, and starts preparing the default template.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _host.PrepareAsync(cancellationToken);
        await _volume.MountAsync(cancellationToken);
        _runtime.Recover();
        await _network.StartAsync(_runtime.LiveBundles(), cancellationToken);
        await SharedPageCache.ClaimAsync(_options.AgentPath, cancellationToken);
        _ = _templates.WarmUpAsync(TemplateCatalog.Base.Id);
        LogCapacity(HostLimits.Read());
        if (!CgroupAttachMode.FavorsDynamicChanges())
        {
            LogSlowAttach(_logger);
        }
    }

    // What will cap this host first, said at start, with the setting to raise, before an operator finds out at
    // sandbox number 4000.
    private void LogCapacity(HostLimits limits)
    {
        var caps = limits.Caps(agentsSleep: _options.AgentSleepAfter > TimeSpan.Zero);
        if (caps.Count == 0)
        {
            return;
        }

        var first = caps[0];
        LogCap(_logger, first.Sandboxes, first.Limit, first.Raise, string.Join("; ", caps.Skip(1).Select(c => $"{c.Limit}: about {c.Sandboxes}")));
    }

    [LoggerMessage(1, LogLevel.Information, "This host holds about {Sandboxes} idle sandboxes before {Limit} stops it (raise it: {Raise}); then {Others}")]
    private static partial void LogCap(ILogger logger, long sandboxes, string limit, string raise, string others);

    [LoggerMessage(2, LogLevel.Information, "No cgroup hierarchy is mounted with favordynmods: each create waits about 10 ms to move its agent into its cgroups (see README, \"Many sandboxes on one host\")")]
    private static partial void LogSlowAttach(ILogger logger);

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await _network.DisposeAsync();
        ReleaseIfIdle();
    }

    /// <summary>Gives back what only sandboxes need when none is left on this data dir.</summary>
    public void ReleaseIfIdle()
    {
        // Snapshots keep the volume, not the template views or id ranges: only sandboxes use those.
        if (!Directory.Exists(_options.SandboxesDir)
            || !Directory.EnumerateFileSystemEntries(_options.SandboxesDir).Any(e => Path.GetFileName(e) != Host.SandboxLayers.DirectoryName))
        {
            _templates.ReleaseMounts();
            _slots.ReleaseSpares();
            _volume.UnmountIfEmpty();
        }
    }
}
