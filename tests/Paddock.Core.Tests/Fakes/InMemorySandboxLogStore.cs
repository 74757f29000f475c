using Paddock.Core.Logs;
using Paddock.Core.Storage;

namespace Paddock.Core.Tests.Fakes;

/// <summary>A platform-log double; the SQLite log store has its own tests.</summary>
internal sealed class InMemorySandboxLogStore : ISandboxLogStore
{
    private readonly List<(string SandboxId, SandboxLogEntry Entry)> _entries = [];

    public IReadOnlyList<SandboxLogEntry> Of(string sandboxId)
    {
        lock (_entries)
        {
            return _entries.Where(e => e.SandboxId == sandboxId).Select(e => e.Entry).ToList();
        }
    }

    public Task AppendAsync(string sandboxId, SandboxLogEntry entry, CancellationToken cancellationToken)
    {
        lock (_entries)
        {
            _entries.Add((sandboxId, entry));
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<SandboxLogEntry>> ReadAsync(string sandboxId, SandboxLogQuery query, CancellationToken cancellationToken)
    {
        var matching = Of(sandboxId).Where(query.Matches);
        matching = query.Backward ? matching.Reverse() : matching;
        return Task.FromResult<IReadOnlyList<SandboxLogEntry>>(matching.Take(query.Limit).ToList());
    }
}
