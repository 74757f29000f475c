namespace Paddock.Core.Sandboxes;

/// <summary>
/// The states a sandbox record can be in. <see cref="Creating"/> exists only in the store, so that a
/// crash in the middle of a create leaves a record that startup reconciliation can clean up; the API
/// never shows it.
/// </summary>
public enum SandboxState
{
    /// <summary>The record is written and the runtime is building the container.</summary>
    Creating,

    /// <summary>The container runs and its timeout clock is ticking.</summary>
    Running,

    /// <summary>The container is frozen: no CPU, memory and files kept.</summary>
    Paused,

    /// <summary>Terminal: the container and everything it owned are gone; the record stays for history.</summary>
    Killed,
}
