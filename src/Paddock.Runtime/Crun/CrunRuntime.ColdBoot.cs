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

        try
        {
            await BootAsync(spec, slot, cancellationToken);
        }
        catch
        {
            // A failed cold boot leaves the sandbox as it was: stopped, its files kept.
            await StopAsync(id, CancellationToken.None);
            throw;
        }
    }
}
