using Microsoft.Extensions.Logging;
using Paddock.Core.Diagnostics;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// Makes the runtime match the store when the server starts: the store says what should exist, the
/// runtime says what does. Orphans (runtime resources without a live record) are deleted; records whose
/// container is gone are marked killed; a container whose pause or resume did not reach the store is
/// put back in the state the store recorded; creates the server did not finish are cleaned up.
/// </summary>
internal sealed class StartupReconciler(ISandboxStore store, ISandboxRuntime runtime, SandboxStateChanges changes, ILogger logger)
{
    public async Task<IReadOnlyList<SandboxRecord>> ReconcileAsync(CancellationToken cancellationToken)
    {
        var records = await store.ListLiveAsync(cancellationToken);
        var observed = await runtime.ListAsync(cancellationToken);
        var live = new List<SandboxRecord>();

        foreach (var record in records)
        {
            var exists = observed.TryGetValue(record.Id, out var status);
            switch (record.State)
            {
                case SandboxState.Creating:
                    await changes.KillAsync(record, KillReason.CreateInterrupted);
                    break;
                case SandboxState.Running when exists && status == RuntimeSandboxStatus.Running:
                case SandboxState.Paused when exists && status == RuntimeSandboxStatus.Paused:
                    live.Add(record);
                    break;
                case SandboxState.Running when exists && status == RuntimeSandboxStatus.Paused:
                    await runtime.ResumeAsync(record.Id, cancellationToken);
                    live.Add(record);
                    break;
                case SandboxState.Paused when exists && status == RuntimeSandboxStatus.Running:
                    await runtime.PauseAsync(record.Id, cancellationToken);
                    live.Add(record);
                    break;
                default:
                    await changes.KillAsync(record, KillReason.LostAtRestart);
                    break;
            }
        }

        var known = records.Select(r => r.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var orphan in observed.Keys.Where(id => !known.Contains(id)))
        {
            OperatorLog.OrphanRemoved(logger, orphan);
            await runtime.DeleteAsync(orphan, cancellationToken);
        }

        OperatorLog.Reconciled(logger, live.Count, records.Count - live.Count);
        return live;
    }
}
