using System.Collections.Concurrent;

namespace Paddock.Core.Lifecycle;

/// <summary>
/// Which sandboxes run now, kept in memory because the proxy asks on every request. A sandbox leaves the
/// set before the runtime pauses or deletes it, and joins once it runs. Each secure sandbox's envd access
/// token is kept with it: a signed file URL names no sandbox, only a signature made with that token. So are its
/// ingress settings (traffic access token, Host mask), checked on every request to its ports. Each entry also
/// carries a token cancelled when the sandbox stops running, so traffic in flight can end then.
/// </summary>
public sealed class RunningSandboxes
{
    private readonly ConcurrentDictionary<string, Entry> _running = new(StringComparer.Ordinal);

    /// <summary>Whether traffic may flow to the sandbox.</summary>
    public bool IsRunning(string sandboxId) => _running.ContainsKey(sandboxId);

    /// <summary>
    /// A token cancelled when the sandbox stops running (paused, killed, ended); already cancelled when it does
    /// not run now.
    /// </summary>
    public CancellationToken StoppedToken(string sandboxId) =>
        _running.TryGetValue(sandboxId, out var entry) ? entry.Stopped.Token : new CancellationToken(canceled: true);

    /// <summary>What traffic into the sandbox's ports must carry and becomes; <see cref="SandboxIngress.Public"/> when it does not run.</summary>
    public SandboxIngress IngressOf(string sandboxId) =>
        _running.TryGetValue(sandboxId, out var entry) ? entry.Ingress : SandboxIngress.Public;

    /// <summary>The first running sandbox whose access token <paramref name="signedWith"/> accepts, if any.</summary>
    public string? FindByAccessToken(Func<string, bool> signedWith)
    {
        foreach (var (id, entry) in _running)
        {
            if (entry.AccessToken is { } token && signedWith(token))
            {
                return id;
            }
        }

        return null;
    }

    // A sandbox already there (a change that did not stop it) keeps its stop token.
    internal void Add(Sandboxes.SandboxRecord record) => _running.AddOrUpdate(
        record.Id,
        static (_, r) => new Entry(r.EnvdAccessToken, SandboxIngress.Of(r), new CancellationTokenSource()),
        static (_, entry, r) => entry with { AccessToken = r.EnvdAccessToken, Ingress = SandboxIngress.Of(r) },
        record);

    // Not disposed: a token handed out before may still be registered on; with no timer, a source needs no disposal.
    internal void Remove(string sandboxId)
    {
        if (_running.TryRemove(sandboxId, out var entry))
        {
            // Callbacks (ending proxied traffic) run here; they only flag and abort, never block.
            entry.Stopped.Cancel();
        }
    }

    private sealed record Entry(string? AccessToken, SandboxIngress Ingress, CancellationTokenSource Stopped);
}
