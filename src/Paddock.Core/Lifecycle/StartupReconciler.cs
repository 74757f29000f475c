using Microsoft.Extensions.Logging;
using Paddock.Core.Diagnostics;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// Makes the runtime match the store when the server starts: the store says what should exist, the
/// runtime says what does. Orphans (runtime resources without a live record) are deleted; a sandbox whose
/// processes are gone (a reboot, the runtime's state wiped, a crash) but whose files are on disk becomes a
/// filesystem-only pause, its files kept and its log saying why; only one with nothing left is marked killed.
/// A container whose pause or resume did not reach the store is put back in the state the store recorded;
/// creates the server did not finish are cleaned up. Sandboxes that were running are not booted again here:
/// a host that comes back starts nothing by itself (no stampede of cold boots, no user process silently
/// restarted); the next connect, resume or (with autoResume) request boots each one cold.
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
                case SandboxState.Paused when record.PausedAs != PauseKind.Filesystem && exists && status == RuntimeSandboxStatus.Paused:
                case SandboxState.Paused when record.PausedAs == PauseKind.Filesystem && exists && status == RuntimeSandboxStatus.FilesOnly:
                    live.Add(record);
                    break;
                case SandboxState.Running when exists && status == RuntimeSandboxStatus.Paused:
                    await runtime.ResumeAsync(record.Id, cancellationToken);
                    live.Add(record);
                    break;
                case SandboxState.Paused when record.PausedAs != PauseKind.Filesystem && exists && status == RuntimeSandboxStatus.Running:
                    await runtime.PauseAsync(record.Id, cancellationToken);
                    live.Add(record);
                    break;
                case SandboxState.Paused when record.PausedAs == PauseKind.Filesystem && exists:
                    // Stopped on disk, but a container came back (a crash in the middle of the stop): finish it.
                    await runtime.StopAsync(record.Id, cancellationToken);
                    live.Add(record);
                    break;
                case SandboxState.Running or SandboxState.Paused when exists:
                    if (await TryKeepFilesAsync(record) is { } kept)
                    {
                        live.Add(kept);
                    }

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

    // Processes gone, layer still there: keep the files as a filesystem-only pause. Only when they cannot be
    // kept is the sandbox lost (and then killed, with that reason).
    private async Task<SandboxRecord?> TryKeepFilesAsync(SandboxRecord record)
    {
        try
        {
            return await changes.LoseProcessesAsync(record);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            OperatorLog.FilesNotKept(logger, record.Id, ex);
            await changes.KillAsync(record, KillReason.LostAtRestart, ex.Message);
            return null;
        }
    }
}
