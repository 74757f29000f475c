namespace Paddock.Core.Sandboxes;

/// <summary>How a paused sandbox is kept: the sub-state of <see cref="SandboxState.Paused"/>.</summary>
public enum PauseKind
{
    /// <summary>Frozen (cgroup freezer): its processes and memory stay resident and resume exactly as they were.</summary>
    Memory,

    /// <summary>
    /// Its container is gone and its memory freed; only its writable layer is kept on disk. Resuming it is a
    /// cold boot over the same files: the agent and every process start anew.
    /// </summary>
    Filesystem,
}
