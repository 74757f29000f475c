namespace Paddock.Core.SandboxRuntime;

/// <summary>What the runtime observes of a sandbox's container.</summary>
public enum RuntimeSandboxStatus
{
    /// <summary>The init process runs.</summary>
    Running,

    /// <summary>The container is frozen.</summary>
    Paused,

    /// <summary>Resources remain (a container that stopped, a mount or a directory) but nothing runs.</summary>
    Stopped,

    /// <summary>No container exists, but the sandbox's writable layer is kept on disk (a filesystem-only pause).</summary>
    FilesOnly,
}
