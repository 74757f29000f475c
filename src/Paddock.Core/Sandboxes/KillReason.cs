namespace Paddock.Core.Sandboxes;

/// <summary>Why a sandbox ended. Every killed sandbox records one.</summary>
public enum KillReason
{
    /// <summary>A client asked for it (<c>DELETE /sandboxes/{id}</c>).</summary>
    Request,

    /// <summary>Its timeout passed and it was not set to pause on timeout.</summary>
    Timeout,

    /// <summary>It stayed paused longer than the retention period.</summary>
    RetentionExpired,

    /// <summary>Its container was gone when the server started again (for example after a reboot).</summary>
    LostAtRestart,

    /// <summary>The runtime failed to create it; the message says why.</summary>
    CreateFailed,

    /// <summary>The server stopped while it was being created.</summary>
    CreateInterrupted,

    /// <summary>Its init (the agent) was killed by the kernel for want of memory.</summary>
    OutOfMemory,

    /// <summary>Its init (the agent) ended, or was killed, while the sandbox ran.</summary>
    AgentExited,
}
