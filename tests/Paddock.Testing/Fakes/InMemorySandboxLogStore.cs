using Paddock.Core.Logs;
using Paddock.Core.Storage;

namespace Paddock.Testing.Fakes;

/// <summary>A platform-log double that passes the log store contract: time order, then the order entries were written.</summary>
public sealed class InMemorySandboxLogStore : ISandboxLogStore
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
        // A stable sort keeps entries of the same instant in the order they were written.
        var ordered = Of(sandboxId).OrderBy(e => e.Timestamp).ToList();
        var matching = (query.Backward ? Enumerable.Reverse(ordered) : ordered).Where(query.Matches);
        return Task.FromResult<IReadOnlyList<SandboxLogEntry>>(matching.Take(query.Limit).ToList());
    }
}
