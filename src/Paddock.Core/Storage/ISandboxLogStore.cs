using Paddock.Core.Logs;

namespace Paddock.Core.Storage;

/// <summary>
/// The platform's own log of each sandbox (what the lifecycle did to it and why), kept as long as its
/// record. What happens inside a sandbox is the runtime's to keep (<see cref="Runtime.ISandboxRuntime.ReadLogAsync"/>).
/// </summary>
public interface ISandboxLogStore
{
    /// <summary>Appends an entry to a sandbox's log.</summary>
    Task AppendAsync(string sandboxId, SandboxLogEntry entry, CancellationToken cancellationToken);

    /// <summary>The entries of a sandbox's log that match the query, in its order, at most its limit.</summary>
    Task<IReadOnlyList<SandboxLogEntry>> ReadAsync(string sandboxId, SandboxLogQuery query, CancellationToken cancellationToken);
}
