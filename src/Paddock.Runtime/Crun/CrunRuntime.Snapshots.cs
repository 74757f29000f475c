using Paddock.Core.Snapshots;
using Paddock.Runtime.Host;

namespace Paddock.Runtime.Crun;

/// <summary>
/// Snapshots (<see cref="SandboxLayers"/>): a sandbox's files kept as a read-only layer, and sandboxes that
/// stack their own writable layer on one. A running sandbox is frozen only while the snapshot is taken.
/// </summary>
public sealed partial class CrunRuntime
{
    private SandboxLayers? _layers;

    private SandboxLayers Layers => _layers ??= new SandboxLayers(_options);

    /// <inheritdoc />
    public async Task<SnapshotRecord> SnapshotAsync(SnapshotRecord snapshot, bool freeze, CancellationToken cancellationToken)
    {
        var id = snapshot.SandboxId;
        var ownerIdBase = HostIdBaseOf(id) ?? throw new InvalidOperationException($"sandbox {id} has no writable layer here");
        var taken = snapshot with { SizeBytes = _volume.UsedBytes(id) };

        // btrfs writes the source's dirty data out as part of the snapshot; the freeze keeps the sandbox from
        // changing its files half-way through, so the layer is one moment of it.
        if (freeze)
        {
            await FreezeAsync(id, cancellationToken);
        }

        try
        {
            await Layers.CreateAsync(taken, ownerIdBase, cancellationToken);
        }
        finally
        {
            if (freeze)
            {
                await CrunAsync(CancellationToken.None, "resume", id);
            }
        }

        return taken;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<SnapshotRecord>> ListSnapshotsAsync(CancellationToken cancellationToken) => Task.FromResult(Layers.List());

    /// <inheritdoc />
    public Task DeleteSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        Layers.Delete(snapshotId);
        return Task.CompletedTask;
    }

    // The lower layers of a sandbox made from a snapshot: each snapshot layer of its chain, id-mapped from the
    // range that owns its files to this sandbox's, mounted in the sandbox's bundle (so they go with its container).
    private async Task<string> SnapshotLowerDirsAsync(string sandboxId, string snapshotId, long hostIdBase, CancellationToken cancellationToken)
    {
        var views = new List<string>();
        var chain = Layers.ChainOf(snapshotId);
        for (var i = 0; i < chain.Count; i++)
        {
            var view = Path.Combine(_options.BundleOf(sandboxId), $"layer{i}");
            await IdMappedMount.EnsureAsync(chain[i].UpperDir, view, hostIdBase, HostIdSlots.RangeSize, cancellationToken, chain[i].OwnerIdBase);
            views.Add(view);
        }

        return string.Join(':', views);
    }
}
