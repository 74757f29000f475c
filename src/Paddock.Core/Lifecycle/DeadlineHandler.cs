using Microsoft.Extensions.Logging;
using Paddock.Core.Diagnostics;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// What happens when a sandbox's deadline passes: a running sandbox is killed (or paused, with autoPause),
/// a paused one is deleted once it has been kept for the retention period. A failure is tried again
/// shortly, so no sandbox outlives its deadline by more than that.
/// </summary>
internal sealed class DeadlineHandler(ISandboxStore store, SandboxStateChanges changes, TimeoutScheduler scheduler, LifecycleOptions options, ILogger logger)
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(5);

    public async Task OnDueAsync(string id)
    {
        try
        {
            using var held = await changes.Locks.AcquireAsync(id, CancellationToken.None);
            var record = await store.GetAsync(id, CancellationToken.None);
            if (record?.NextDeadline(options.PausedRetention) is not { } deadline)
            {
                return;
            }

            if (deadline > changes.Now)
            {
                // Moved while this call waited for the lock.
                scheduler.Schedule(id, deadline);
                return;
            }

            if (record.State == SandboxState.Running && record.AutoPause)
            {
                OperatorLog.TimeoutPausing(logger, id);
                await changes.PauseAsync(record, onTimeout: true);
            }
            else
            {
                var reason = record.State == SandboxState.Paused ? KillReason.RetentionExpired : KillReason.Timeout;
                OperatorLog.DeadlineKilling(logger, id, reason);
                await changes.KillAsync(record, reason);
            }
        }
        catch (Exception ex)
        {
            // The sandbox keeps its deadline; try again shortly rather than let it live forever.
            OperatorLog.DeadlineFailed(logger, id, ex);
            scheduler.Schedule(id, changes.Now + s_retryDelay);
        }
    }
}
