using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Core.Tests.Fakes;

/// <summary>A store double for lifecycle tests; the real SQLite store has its own tests.</summary>
internal sealed class InMemorySandboxStore : ISandboxStore
{
    private readonly Dictionary<string, SandboxRecord> _records = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, SandboxRecord> Records
    {
        get
        {
            lock (_records)
            {
                return new Dictionary<string, SandboxRecord>(_records);
            }
        }
    }

    public Task InsertAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            _records.Add(record.Id, record);
        }

        return Task.CompletedTask;
    }

    public Task UpdateAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            if (!_records.ContainsKey(record.Id))
            {
                throw new InvalidOperationException("missing");
            }

            _records[record.Id] = record;
        }

        return Task.CompletedTask;
    }

    public Task<SandboxRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            return Task.FromResult(_records.GetValueOrDefault(id));
        }
    }

    public Task<IReadOnlyList<SandboxRecord>> ListLiveAsync(CancellationToken cancellationToken)
    {
        lock (_records)
        {
            return Task.FromResult<IReadOnlyList<SandboxRecord>>(_records.Values.Where(r => r.State != SandboxState.Killed).ToList());
        }
    }

    public Task<SandboxPage> ListAsync(SandboxListQuery query, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            var items = _records.Values.Where(r => query.States.Contains(r.State)).OrderByDescending(r => r.StartedAt).Take(query.Limit).ToList();
            return Task.FromResult(new SandboxPage(items, null));
        }
    }

    public Task<int> CountRunningAsync(SandboxListQuery query, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            return Task.FromResult(_records.Values.Count(r => r.State == SandboxState.Running));
        }
    }
}
