using Paddock.Core.SandboxRuntime;
using Paddock.Runtime.Channel;

namespace Paddock.Runtime.Crun;

/// <summary>
/// A sandbox stopped with its files kept, and booted cold again over them. The bundle (a btrfs subvolume: the
/// overlay's upper and work dirs, the log) stays, and so does the sandbox's host id range: the files in its
/// layer are owned by that range, so the next boot maps root to the same ids and finds them as they were.
/// Only the container, its cgroups, its root filesystem mount and its channel go. With crun, processes are
/// not kept: the agent and everything else start anew.
/// </summary>
public sealed partial class CrunRuntime
{
    /// <inheritdoc />
    public async Task StopAsync(string sandboxId, CancellationToken cancellationToken)
    {
        var bundle = _options.BundleOf(sandboxId);
        if (!Directory.Exists(Path.Combine(bundle, "upper")))
        {
            throw new InvalidOperationException($"sandbox {sandboxId} has no writable layer to keep");
        }

        await RemoveContainerAsync(sandboxId, cancellationToken);

        // The next boot binds fresh sockets and writes fresh settings (and crun a fresh pid file).
        foreach (var file in new[] { AgentChannel.AgentSocket(bundle), AgentChannel.TunnelSocket(bundle), AgentChannel.InitFile(bundle), Path.Combine(bundle, PidFile) })
        {
            File.Delete(file);
        }
    }

    /// <inheritdoc />
    public async Task StartAsync(SandboxSpec spec, CancellationToken cancellationToken)
    {
        var id = spec.SandboxId;
        if (!Directory.Exists(UpperDirOf(id)) || !_slotOf.TryGetValue(id, out var slot))
        {
            throw new InvalidOperationException($"sandbox {id} has no kept layer to boot from");
        }

        // The host writes its own files into the bundle at every boot (the container's config, the agent's settings,
        // the resolver's files; the overlay its work dir), in the subvolume the sandbox's quota limits: a sandbox that
        // filled its quota before it was stopped would never boot again. The limit is lifted for them, and put back
        // before anything of the sandbox runs (and whatever happens); the sandbox's own writes are then refused past
        // it as before.
        var limit = spec.DiskSizeMB > 0 ? spec.DiskSizeMB * 1024L * 1024 : _volume.LimitBytes(id);
        _volume.LiftLimit(id);
        try
        {
            await BootAsync(spec, slot, cancellationToken, beforeStart: () => _volume.Limit(id, limit));
        }
        catch
        {
            // A failed cold boot leaves the sandbox as it was: stopped, its files kept.
            await StopAsync(id, CancellationToken.None);
            throw;
        }
        finally
        {
            _volume.Limit(id, limit);
        }
    }
}
