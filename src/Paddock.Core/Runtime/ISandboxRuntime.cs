namespace Paddock.Core.Runtime;

/// <summary>
/// Runs sandboxes as isolated containers. The lifecycle of a container as the runtime sees it:
/// <list type="bullet">
/// <item><see cref="CreateAsync"/> builds the root filesystem, the namespaces, cgroups and seccomp
/// filter, starts the init process and returns once it runs. On failure it has already removed
/// whatever it built.</item>
/// <item><see cref="PauseAsync"/> freezes every process (cgroup freezer): no CPU is used, memory stays
/// resident and is exactly as it was on <see cref="ResumeAsync"/>. This is tier-1 pause; it does not
/// survive a reboot of the host.</item>
/// <item><see cref="DeleteAsync"/> ends the processes and removes the container, its cgroups, mounts and
/// writable layer. It is idempotent: deleting something already gone succeeds.</item>
/// </list>
/// Containers outlive the server process: they are not its children and hold no pipe to it.
/// </summary>
public interface ISandboxRuntime
{
    /// <summary>Creates and starts a sandbox.</summary>
    Task CreateAsync(SandboxSpec spec, CancellationToken cancellationToken);

    /// <summary>Freezes a running sandbox.</summary>
    Task PauseAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Thaws a paused sandbox.</summary>
    Task ResumeAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Removes a sandbox and everything it owns; succeeds if it is already gone.</summary>
    Task DeleteAsync(string sandboxId, CancellationToken cancellationToken);

    /// <summary>Every sandbox the runtime holds any resource of, with the state of its container.</summary>
    Task<IReadOnlyDictionary<string, RuntimeSandboxStatus>> ListAsync(CancellationToken cancellationToken);
}
