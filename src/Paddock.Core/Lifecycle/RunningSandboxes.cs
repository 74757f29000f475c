using System.Collections.Concurrent;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// Which sandboxes run now, kept in memory because the proxy asks on every request. A sandbox leaves the
/// set before the runtime pauses or deletes it, and joins once it runs. Each secure sandbox's envd access
/// token is kept with it: a signed file URL names no sandbox, only a signature made with that token.
/// </summary>
public sealed class RunningSandboxes
{
    private readonly ConcurrentDictionary<string, string?> _running = new(StringComparer.Ordinal);

    /// <summary>Whether traffic may flow to the sandbox.</summary>
    public bool IsRunning(string sandboxId) => _running.ContainsKey(sandboxId);

    /// <summary>The first running sandbox whose access token <paramref name="signedWith"/> accepts, if any.</summary>
    public string? FindByAccessToken(Func<string, bool> signedWith)
    {
        foreach (var (id, token) in _running)
        {
            if (token is not null && signedWith(token))
            {
                return id;
            }
        }

        return null;
    }

    internal void Add(Sandboxes.SandboxRecord record) => _running[record.Id] = record.EnvdAccessToken;

    internal void Remove(string sandboxId) => _running.TryRemove(sandboxId, out _);
}
