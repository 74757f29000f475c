namespace Paddock.Core.Sandboxes;

/// <summary>How a <see cref="KillReason"/> reads in error messages and logs.</summary>
public static class KillReasonText
{
    /// <summary>The reason in words (it completes "the sandbox was killed: …").</summary>
    public static string Describe(this KillReason? reason) => reason switch
    {
        KillReason.Request => "killed by request",
        KillReason.Timeout => "its timeout passed",
        KillReason.RetentionExpired => "it stayed paused past the retention period",
        KillReason.LostAtRestart => "its container was lost while the server was down",
        KillReason.CreateFailed => "it failed to start",
        KillReason.CreateInterrupted => "the server stopped while it was being created",
        KillReason.OutOfMemory => "it ran out of memory and the kernel killed its agent",
        KillReason.AgentExited => "its agent (the sandbox's init) ended",
        _ => "unknown reason",
    };

    /// <summary>The reason as a stable snake_case code for machines.</summary>
    public static string Code(this KillReason reason) => reason switch
    {
        KillReason.Request => "request",
        KillReason.Timeout => "timeout",
        KillReason.RetentionExpired => "retention_expired",
        KillReason.LostAtRestart => "lost_at_restart",
        KillReason.CreateFailed => "create_failed",
        KillReason.CreateInterrupted => "create_interrupted",
        KillReason.OutOfMemory => "out_of_memory",
        KillReason.AgentExited => "agent_exited",
        _ => "unknown",
    };
}
