using Paddock.Core.Sandboxes;

namespace Paddock.Core.Storage;

/// <summary>
/// Durable sandbox records. The store is the source of truth for what should exist: the lifecycle
/// writes a record before it asks the runtime for anything, and startup reconciliation makes the
/// runtime match the store. Implementations must make every write durable before returning.
/// </summary>
public interface ISandboxStore
{
    /// <summary>Writes a new record; fails if the id exists.</summary>
    Task InsertAsync(SandboxRecord record, CancellationToken cancellationToken);

    /// <summary>Replaces an existing record.</summary>
    Task UpdateAsync(SandboxRecord record, CancellationToken cancellationToken);

    /// <summary>The record with this id, whatever its state, or null.</summary>
    Task<SandboxRecord?> GetAsync(string id, CancellationToken cancellationToken);

    /// <summary>Every record that is not killed (creating, running, paused).</summary>
    Task<IReadOnlyList<SandboxRecord>> ListLiveAsync(CancellationToken cancellationToken);

    /// <summary>One page of records matching the query, in the query's order.</summary>
    Task<SandboxPage> ListAsync(SandboxListQuery query, CancellationToken cancellationToken);

    /// <summary>How many records match the query's filters in the running state (pagination ignored).</summary>
    Task<int> CountRunningAsync(SandboxListQuery query, CancellationToken cancellationToken);
}
