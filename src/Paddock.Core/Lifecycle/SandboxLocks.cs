namespace Paddock.Core.Lifecycle;

/// <summary>
/// One async lock per sandbox: requests on one sandbox are serialised, requests on different
/// sandboxes run in parallel.
/// </summary>
internal sealed class SandboxLocks
{
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public async Task<IDisposable> AcquireAsync(string sandboxId, CancellationToken cancellationToken)
    {
        Entry entry;
        lock (_gate)
        {
            if (!_entries.TryGetValue(sandboxId, out entry!))
            {
                entry = new Entry();
                _entries[sandboxId] = entry;
            }

            entry.Users++;
        }

        try
        {
            await entry.Semaphore.WaitAsync(cancellationToken);
        }
        catch
        {
            Release(sandboxId, entry, held: false);
            throw;
        }

        return new Releaser(this, sandboxId, entry);
    }

    // Entries are reference-counted so the dictionary holds only sandboxes somebody is waiting on.
    private void Release(string sandboxId, Entry entry, bool held)
    {
        if (held)
        {
            entry.Semaphore.Release();
        }

        lock (_gate)
        {
            if (--entry.Users == 0)
            {
                _entries.Remove(sandboxId);
            }
        }
    }

    private sealed class Entry
    {
        public SemaphoreSlim Semaphore { get; } = new(1, 1);

        public int Users { get; set; }
    }

    private sealed class Releaser(SandboxLocks owner, string sandboxId, Entry entry) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner.Release(sandboxId, entry, held: true);
            }
        }
    }
}
