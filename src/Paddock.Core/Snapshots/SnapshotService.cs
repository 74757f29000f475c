using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Snapshots;

/// <summary>
/// Snapshots of sandboxes: taken from a running or paused sandbox (it keeps running, or stays paused), listed,
/// and deleted once no sandbox and no other snapshot is built on them. A sandbox is made from one by naming it
/// where a template goes (<see cref="LifecycleService.CreateAsync"/>). The runtime keeps them, with their
/// layers, so they outlive restarts.
/// </summary>
public sealed class SnapshotService : IDisposable
{
    private readonly ISandboxStore _store;
    private readonly ISandboxRuntime _runtime;
    private readonly SandboxStateChanges _changes;
    private readonly SemaphoreSlim _gate = new(1, 1);

    internal SnapshotService(ISandboxStore store, ISandboxRuntime runtime, SandboxStateChanges changes)
    {
        _store = store;
        _runtime = runtime;
        _changes = changes;
    }

    /// <summary>Takes a snapshot of a running or paused sandbox, named or not; 404 for an unknown or killed one.</summary>
    public async Task<SnapshotRecord> CreateAsync(string sandboxId, string? name, CancellationToken cancellationToken, bool isInternal = false)
    {
        var (id, names) = SnapshotNames.For(name);
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (names.Count > 0 && (await _runtime.ListSnapshotsAsync(cancellationToken)).Any(s => s.Id == id))
            {
                throw new PaddockException(ErrorKind.Conflict, $"a snapshot '{id}' exists already; delete it first or choose another name or tag");
            }

            using var held = await _changes.Locks.AcquireAsync(sandboxId, cancellationToken);
            var record = await _store.GetAsync(sandboxId, cancellationToken);
            if (record is null or { State: SandboxState.Creating or SandboxState.Killed })
            {
                throw new SandboxNotFoundException(sandboxId, record);
            }

            var snapshot = new SnapshotRecord
            {
                Id = id,
                Names = names,
                SandboxId = sandboxId,
                TemplateId = record.TemplateId,
                ParentId = record.SnapshotId,
                CreatedAt = _changes.Now,
                Internal = isInternal,
            };
            return await _runtime.SnapshotAsync(snapshot, freeze: record.State == SandboxState.Running, CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The snapshot an id or name refers to, if any (internal ones included: forks are made from them).</summary>
    public async Task<SnapshotRecord?> FindAsync(string reference, CancellationToken cancellationToken) =>
        (await _runtime.ListSnapshotsAsync(cancellationToken)).FirstOrDefault(s => SnapshotNames.Matches(s, reference));

    /// <summary>
    /// A page of snapshots, newest first (then by id, descending), as E2B lists them: filtered by the sandbox taken
    /// from and by name (a bare name matches any tag, <c>name:tag</c> that tag), after <paramref name="after"/>.
    /// </summary>
    public async Task<(IReadOnlyList<SnapshotRecord> Items, SnapshotRecord? Last)> ListAsync(
        string? sandboxId, string? name, int limit, (DateTimeOffset CreatedAt, string Id)? after, CancellationToken cancellationToken)
    {
        var wanted = name?.ToLowerInvariant();
        var all = (await _runtime.ListSnapshotsAsync(cancellationToken))
            .Where(s => !s.Internal)
            .Where(s => sandboxId is null || s.SandboxId == sandboxId)
            .Where(s => wanted is null || (wanted.Contains(':', StringComparison.Ordinal) ? s.Id == wanted : s.Names.Contains(wanted)))
            .OrderByDescending(s => s.CreatedAt).ThenByDescending(s => s.Id, StringComparer.Ordinal)
            .Where(s => after is not { } a || s.CreatedAt < a.CreatedAt || (s.CreatedAt == a.CreatedAt && string.CompareOrdinal(s.Id, a.Id) < 0))
            .Take(limit + 1)
            .ToList();
        return all.Count > limit ? (all.Take(limit).ToList(), all[limit - 1]) : (all, null);
    }

    /// <summary>
    /// Deletes a snapshot; false when there is none. Refused (400, E2B's words) while a running or paused sandbox,
    /// or another snapshot, is built on it: those would lose files they stand on.
    /// </summary>
    public async Task<bool> DeleteAsync(string reference, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var snapshots = await _runtime.ListSnapshotsAsync(cancellationToken);
            if (snapshots.FirstOrDefault(s => !s.Internal && SnapshotNames.Matches(s, reference)) is not { } snapshot)
            {
                return false;
            }

            var users = (await _store.ListLiveAsync(cancellationToken)).Where(r => r.SnapshotId == snapshot.Id).ToList();
            if (users.Any(r => r.State is SandboxState.Running or SandboxState.Creating))
            {
                throw new PaddockException(ErrorKind.InvalidArgument, $"cannot delete template '{snapshot.Id}' because there are running sandboxes using it");
            }

            if (users.Count > 0)
            {
                throw new PaddockException(ErrorKind.InvalidArgument, $"cannot delete template '{snapshot.Id}' because there are paused sandboxes using it");
            }

            if (snapshots.Any(s => s.ParentId == snapshot.Id))
            {
                throw new PaddockException(ErrorKind.InvalidArgument, $"cannot delete template '{snapshot.Id}' because other snapshots are built on it");
            }

            await _runtime.DeleteSnapshotAsync(snapshot.Id, cancellationToken);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Deletes an internal snapshot (a fork's) once no live sandbox and no snapshot uses it any more.</summary>
    internal async Task ReleaseIfUnusedAsync(string snapshotId)
    {
        await _gate.WaitAsync(CancellationToken.None);
        try
        {
            var snapshots = await _runtime.ListSnapshotsAsync(CancellationToken.None);
            if (snapshots.FirstOrDefault(s => s.Id == snapshotId) is not { Internal: true }
                || snapshots.Any(s => s.ParentId == snapshotId)
                || (await _store.ListLiveAsync(CancellationToken.None)).Any(r => r.SnapshotId == snapshotId))
            {
                return;
            }

            await _runtime.DeleteSnapshotAsync(snapshotId, CancellationToken.None);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public void Dispose() => _gate.Dispose();
}
