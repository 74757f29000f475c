using Paddock.Core.Logs;
using Paddock.Core.Network;
using Paddock.Core.Snapshots;

namespace Paddock.Core.SandboxRuntime;

/// <summary>
/// Runs sandboxes as isolated containers. The lifecycle of a container as the runtime sees it:
/// <list type="bullet">
/// <item><see cref="CreateAsync"/> builds the root filesystem, the namespaces, cgroups and seccomp
/// filter, starts the init process and returns once it runs. On failure it has already removed
/// whatever it built.</item>
/// <item><see cref="PauseAsync"/> freezes every process (cgroup freezer): no CPU is used, memory stays
/// resident and is exactly as it was on <see cref="ResumeAsync"/>. This is tier-1 pause; it does not
/// survive a reboot of the host.</item>
/// <item><see cref="StopAsync"/> ends every process and removes the container, its cgroups and mounts, but
/// keeps the writable layer (and the log) on disk: a filesystem-only pause, which survives a reboot.
/// <see cref="StartAsync"/> boots a fresh container over that layer: the files are as they were, every
/// process starts anew. A runtime that can keep memory across this (a checkpointing one) would do so here.</item>
/// <item><see cref="DeleteAsync"/> ends the processes and removes the container, its cgroups, mounts and
/// writable layer. It is idempotent: deleting something already gone succeeds.</item>
/// </list>
/// Containers outlive the server process: they are not its children and hold no pipe to it.
/// The host reaches a sandbox only through <see cref="ConnectAsync"/>, over a channel the runtime owns,
/// so a sandbox needs no network route to the host. Everything inside a sandbox is untrusted: the runtime
/// never follows a path the sandbox can write, and measures a sandbox (<see cref="GetUsageAsync"/>) from
/// the host's side. A sandbox whose init ends on its own is reported by <see cref="WatchExitsAsync"/>.
/// </summary>
public interface ISandboxRuntime
{
    /// <summary>The port of the in-sandbox agent (envd's port).</summary>
    const int AgentPort = 49983;

    /// <summary>Creates and starts a sandbox.</summary>
    Task CreateAsync(SandboxSpec spec, CancellationToken cancellationToken);

    /// <summary>Freezes a running sandbox.</summary>
    Task PauseAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Thaws a paused sandbox.</summary>
    Task ResumeAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Replaces what a sandbox's outbound traffic may reach; applied to its open and new connections when this
    /// returns. A sandbox without a network (the server's networking off) has nothing to change.
    /// </summary>
    Task UpdateEgressAsync(string sandboxId, EgressRules rules, CancellationToken cancellationToken);

    /// <summary>
    /// Ends a sandbox's processes and removes its container, keeping its writable layer; succeeds when only the
    /// layer is left already. Throws <see cref="InvalidOperationException"/> when there is no layer to keep.
    /// </summary>
    Task StopAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Boots a stopped sandbox again over its kept writable layer (a cold boot) and returns once its agent
    /// answers. On failure the container is removed again and the layer kept.
    /// </summary>
    Task StartAsync(SandboxSpec spec, CancellationToken cancellationToken);

    /// <summary>
    /// Keeps the files of sandbox <see cref="SnapshotRecord.SandboxId"/> as they are now as a read-only layer
    /// named by <see cref="SnapshotRecord.Id"/>, sharing its blocks. With <paramref name="freeze"/> (a running
    /// sandbox) its processes are frozen for the moment it takes, so the layer is consistent; it keeps running.
    /// </summary>
    Task<SnapshotRecord> SnapshotAsync(SnapshotRecord snapshot, bool freeze, CancellationToken cancellationToken);

    /// <summary>Every snapshot this runtime holds (they outlive restarts).</summary>
    Task<IReadOnlyList<SnapshotRecord>> ListSnapshotsAsync(CancellationToken cancellationToken);

    /// <summary>Removes a snapshot's layer; succeeds if it is already gone. No sandbox may use it any more.</summary>
    Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken);

    /// <summary>Removes a sandbox and everything it owns; succeeds if it is already gone.</summary>
    Task DeleteAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Opens a byte stream to a TCP port inside a running sandbox (the agent's for
    /// <see cref="AgentPort"/>). Throws <see cref="SandboxPortClosedException"/> when nothing listens there.
    /// </summary>
    Task<Stream> ConnectAsync(string sandboxId, int port, CancellationToken cancellationToken);

    /// <summary>
    /// What the sandbox's agent logged (processes started and ended, failures), and any other output of its
    /// init, oldest first. The log outlives the sandbox: it is kept after <see cref="DeleteAsync"/>.
    /// Empty when the runtime holds nothing for this id.
    /// </summary>
    IAsyncEnumerable<SandboxLogEntry> ReadLogAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Every sandbox the runtime holds any resource of, with the state of its container.</summary>
    Task<IReadOnlyDictionary<string, RuntimeSandboxStatus>> ListAsync(CancellationToken cancellationToken);

    /// <summary>
    /// What a running or frozen sandbox uses now (CPU over a short sample, memory, disk), measured by the host.
    /// </summary>
    Task<SandboxUsage> GetUsageAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// What a sandbox's writable layer holds and may hold, whether it runs, is frozen or is stopped with its files
    /// kept: the quota's own counters, read without walking any file. Throws <see cref="InvalidOperationException"/>
    /// when the runtime holds no layer for it.
    /// </summary>
    Task<SandboxDisk> GetDiskAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>
    /// Sandboxes whose init ended without <see cref="DeleteAsync"/> being asked (killed for want of memory,
    /// crashed, killed from outside), as they happen. Their resources stay until <see cref="DeleteAsync"/>.
    /// One reader at a time.
    /// </summary>
    IAsyncEnumerable<SandboxExit> WatchExitsAsync(CancellationToken cancellationToken);
}
