using Microsoft.Extensions.Logging;
using Paddock.Core.Sandboxes;

namespace Paddock.Core.Diagnostics;

/// <summary>
/// What the server tells its operator, through <see cref="ILogger"/>: not to be confused with a sandbox's own
/// log (<c>Paddock.Core.Logs</c>), which its user reads through the API.
/// </summary>
internal static partial class OperatorLog
{
    [LoggerMessage(1, LogLevel.Information, "Sandbox {SandboxId} created from template {TemplateId}, times out at {EndAt:o}")]
    public static partial void Created(ILogger logger, string sandboxId, string templateId, DateTimeOffset endAt);

    [LoggerMessage(2, LogLevel.Error, "Sandbox {SandboxId} failed to start")]
    public static partial void CreateFailed(ILogger logger, string sandboxId, Exception exception);

    [LoggerMessage(3, LogLevel.Information, "Sandbox {SandboxId} killed: {Reason}")]
    public static partial void Killed(ILogger logger, string sandboxId, KillReason reason);

    [LoggerMessage(4, LogLevel.Information, "Sandbox {SandboxId} timed out; pausing it (autoPause)")]
    public static partial void TimeoutPausing(ILogger logger, string sandboxId);

    [LoggerMessage(5, LogLevel.Information, "Sandbox {SandboxId} reached its deadline ({Reason}); killing it")]
    public static partial void DeadlineKilling(ILogger logger, string sandboxId, KillReason reason);

    [LoggerMessage(6, LogLevel.Error, "Deadline handling failed for sandbox {SandboxId}; retrying")]
    public static partial void DeadlineFailed(ILogger logger, string sandboxId, Exception exception);

    [LoggerMessage(7, LogLevel.Warning, "Removing orphaned sandbox resources of {SandboxId} (no live record)")]
    public static partial void OrphanRemoved(ILogger logger, string sandboxId);

    [LoggerMessage(8, LogLevel.Information, "Startup reconciliation: {Live} live sandboxes kept, {Ended} ended")]
    public static partial void Reconciled(ILogger logger, int live, int ended);

    [LoggerMessage(9, LogLevel.Warning, "Could not write \"{Message}\" to the log of sandbox {SandboxId}")]
    public static partial void EventNotRecorded(ILogger logger, string sandboxId, string message, Exception exception);

    [LoggerMessage(10, LogLevel.Warning, "Sandbox {SandboxId} ended on its own ({Reason}): {Detail}")]
    public static partial void SandboxExited(ILogger logger, string sandboxId, KillReason reason, string detail);

    [LoggerMessage(11, LogLevel.Error, "Ending sandbox {SandboxId}, whose init exited, failed")]
    public static partial void SandboxExitFailed(ILogger logger, string sandboxId, Exception exception);

    [LoggerMessage(12, LogLevel.Information, "Paused sandbox {SandboxId} moved to disk: {Why}")]
    public static partial void Demoted(ILogger logger, string sandboxId, string why);

    [LoggerMessage(13, LogLevel.Warning, "Sandbox {SandboxId} lost its processes at restart; its files are kept and it is paused")]
    public static partial void LostProcesses(ILogger logger, string sandboxId);

    [LoggerMessage(14, LogLevel.Error, "Sandbox {SandboxId} lost its processes at restart and its files could not be kept")]
    public static partial void FilesNotKept(ILogger logger, string sandboxId, Exception exception);

    [LoggerMessage(15, LogLevel.Warning, "Could not delete the unused fork snapshot {SnapshotId}")]
    public static partial void SnapshotNotReleased(ILogger logger, string snapshotId, Exception exception);

    [LoggerMessage(16, LogLevel.Error, "Moving frozen sandboxes to disk (FrozenMemoryMB) failed")]
    public static partial void FrozenBudgetFailed(ILogger logger, Exception exception);
}
