using Microsoft.Extensions.Logging;
using Paddock.Core.Diagnostics;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// What happens when a sandbox's deadline passes: a running sandbox is killed (or paused, with autoPause),
/// a frozen one gives its memory back after FreezeFor (it is kept on disk from then on), a paused one is
/// deleted once it has been kept for the retention period. A failure is tried again
/// shortly, so no sandbox outlives its deadline by more than that.
/// </summary>
internal sealed class DeadlineHandler(ISandboxStore store, SandboxStateChanges changes, TimeoutScheduler scheduler, LifecycleOptions options, ILogger logger, FrozenMemoryBudget frozenBudget)
{
    private static readonly TimeSpan s_retryDelay = TimeSpan.FromSeconds(5);

    public async Task OnDueAsync(string id)
    {
        if (await OnDueLockedAsync(id))
        {
            // Outside the sandbox's lock: the budget takes other sandboxes' locks.
            await frozenBudget.EnforceAsync();
        }
    }

    // Whether it froze the sandbox (so the frozen sandboxes' budget must be checked).
    private async Task<bool> OnDueLockedAsync(string id)
    {
        try
        {
            using var held = await changes.Locks.AcquireAsync(id, CancellationToken.None);
            var record = await store.GetAsync(id, CancellationToken.None);
            if (record?.NextDeadline(options.PausedRetention, options.FreezeFor) is not { } deadline)
            {
                return false;
            }

            if (deadline > changes.Now)
            {
                // Moved while this call waited for the lock.
                scheduler.Schedule(id, deadline);
                return false;
            }

            if (record.State == SandboxState.Running && record.AutoPause)
            {
                OperatorLog.TimeoutPausing(logger, id);
                await changes.PauseAsync(record, onTimeout: true, record.AutoPauseMemory ? PauseKind.Memory : PauseKind.Filesystem);
                return record.AutoPauseMemory;
            }
            else if (record is { State: SandboxState.Paused, PausedAs: PauseKind.Memory } && record.PausedAt + options.FreezeFor <= changes.Now
                && record.PausedAt + options.PausedRetention > changes.Now)
            {
                await changes.DemoteAsync(record, $"it stayed frozen for {options.FreezeFor} (FreezeFor)");
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

        return false;
    }
}
