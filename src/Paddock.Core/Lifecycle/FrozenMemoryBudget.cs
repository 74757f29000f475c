using Microsoft.Extensions.Logging;
using Paddock.Core.Diagnostics;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// The memory side of the tiering policy: frozen sandboxes (paused with their memory) may together hold at most
/// <see cref="LifecycleOptions.FrozenMemoryMB"/> of memory limits; past it the oldest-paused are moved to disk
/// (a filesystem-only pause) until they fit. Limits, not usage, are counted: a frozen sandbox can hold all of its
/// limit, and a resume must find it there. Time is the other side (<see cref="LifecycleOptions.FreezeFor"/>).
/// </summary>
internal sealed class FrozenMemoryBudget(ISandboxStore store, SandboxStateChanges changes, LifecycleOptions options, ILogger logger)
{
    private const long MiB = 1024 * 1024;

    /// <summary>The budget in force: the setting, or half the host's memory.</summary>
    public long BudgetMB => options.FrozenMemoryMB ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 2 / MiB;

    /// <summary>
    /// Moves the oldest frozen sandboxes to disk while the frozen ones hold more than the budget. Never fails its
    /// caller (whose own pause succeeded): a failure is logged and the next pause tries again.
    /// </summary>
    public async Task EnforceAsync()
    {
        try
        {
            await DemoteOverBudgetAsync();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OperatorLog.FrozenBudgetFailed(logger, ex);
        }
    }

    private async Task DemoteOverBudgetAsync()
    {
        var budget = BudgetMB;
        var frozen = (await store.ListLiveAsync(CancellationToken.None))
            .Where(r => r is { State: SandboxState.Paused, PausedAs: PauseKind.Memory })
            .OrderBy(r => r.PausedAt)
            .ToList();
        var held = frozen.Sum(r => (long)r.MemoryMB);
        foreach (var oldest in frozen)
        {
            if (held <= budget)
            {
                return;
            }

            // One lock at a time, never while the caller holds one: two pauses that both enforce cannot wait on each other.
            using (await changes.Locks.AcquireAsync(oldest.Id, CancellationToken.None))
            {
                if (await store.GetAsync(oldest.Id, CancellationToken.None) is { State: SandboxState.Paused, PausedAs: PauseKind.Memory } current)
                {
                    await changes.DemoteAsync(current, $"frozen sandboxes held more than FrozenMemoryMB ({budget} MiB) of memory limits; it was paused the longest");
                }
            }

            held -= oldest.MemoryMB;
        }
    }
}
