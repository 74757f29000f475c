using System.Collections.Concurrent;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// Which sandboxes run now, kept in memory because the proxy asks on every request. A sandbox leaves the
/// set before the runtime pauses or deletes it, and joins once it runs.
/// </summary>
public sealed class RunningSandboxes
{
    private readonly ConcurrentDictionary<string, bool> _running = new(StringComparer.Ordinal);

    /// <summary>Whether traffic may flow to the sandbox.</summary>
    public bool IsRunning(string sandboxId) => _running.ContainsKey(sandboxId);

    internal void Add(string sandboxId) => _running[sandboxId] = true;

    internal void Remove(string sandboxId) => _running.TryRemove(sandboxId, out _);
}
