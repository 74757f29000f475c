using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// Adds up the disk the server's sandboxes and snapshots hold (<see cref="HostUsage"/>), from the quota's own
/// counters (one read per sandbox, no file walked) and the size each snapshot recorded when it was taken.
/// </summary>
public sealed class DiskAccounting(ISandboxStore store, ISandboxRuntime runtime)
{
    /// <summary>What every live sandbox and every snapshot holds now.</summary>
    public async Task<HostUsage> MeasureAsync(CancellationToken cancellationToken)
    {
        // Running, frozen, on disk.
        var held = new (int Count, long Bytes)[3];
        foreach (var record in await store.ListLiveAsync(cancellationToken))
        {
            if (record.State is not (SandboxState.Running or SandboxState.Paused) || await UsedBytesAsync(record.Id, cancellationToken) is not { } bytes)
            {
                continue;
            }

            var kind = record.State == SandboxState.Running ? 0 : record.PausedAs == PauseKind.Filesystem ? 2 : 1;
            held[kind] = (held[kind].Count + 1, held[kind].Bytes + bytes);
        }

        var snapshots = await runtime.ListSnapshotsAsync(cancellationToken);
        return new HostUsage
        {
            Running = new(held[0].Count, held[0].Bytes),
            Frozen = new(held[1].Count, held[1].Bytes),
            OnDisk = new(held[2].Count, held[2].Bytes),
            Snapshots = new(snapshots.Count, snapshots.Sum(s => s.SizeBytes)),
        };
    }

    // A sandbox killed between the listing and the read holds nothing any more: it is left out, not an error.
    private async Task<long?> UsedBytesAsync(string sandboxId, CancellationToken cancellationToken)
    {
        try
        {
            return (await runtime.GetDiskAsync(sandboxId, cancellationToken)).UsedBytes;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            if ((await store.GetAsync(sandboxId, cancellationToken))?.State is SandboxState.Running or SandboxState.Paused)
            {
                throw;
            }

            return null;
        }
    }
}
