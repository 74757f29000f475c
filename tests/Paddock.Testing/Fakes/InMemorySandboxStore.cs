using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Testing.Fakes;

/// <summary>
/// A store double that keeps records in memory and answers as the real stores do (it passes the same
/// contract suite): filters by state, template, start time and every metadata pair, orders by start time
/// then id (bytewise), pages with the cursor.
/// </summary>
public sealed class InMemorySandboxStore : ISandboxStore
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
            if (!_records.TryAdd(record.Id, record))
            {
                throw new InvalidOperationException($"sandbox record {record.Id} exists");
            }
        }

        return Task.CompletedTask;
    }

    public Task UpdateAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            if (!_records.ContainsKey(record.Id))
            {
                throw new InvalidOperationException($"sandbox record {record.Id} does not exist");
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
            return Task.FromResult<IReadOnlyList<SandboxRecord>>(
                [.. _records.Values.Where(r => r.State != SandboxState.Killed).OrderBy(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal)]);
        }
    }

    public Task<SandboxPage> ListAsync(SandboxListQuery query, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            var matching = Matching(query, query.States);
            var ordered = query.Ascending
                ? matching.OrderBy(r => r.StartedAt).ThenByDescending(r => r.Id, StringComparer.Ordinal)
                : matching.OrderByDescending(r => r.StartedAt).ThenBy(r => r.Id, StringComparer.Ordinal);
            var after = query.After is { } cursor ? ordered.SkipWhile(r => !IsAfter(r, cursor, query.Ascending)) : ordered;
            var rows = after.Take(query.Limit + 1).ToList();
            if (rows.Count <= query.Limit)
            {
                return Task.FromResult(new SandboxPage(rows, null));
            }

            var page = rows.Take(query.Limit).ToList();
            return Task.FromResult(new SandboxPage(page, new ListCursor(page[^1].StartedAt, page[^1].Id, query.Ascending)));
        }
    }

    public Task<int> CountRunningAsync(SandboxListQuery query, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            return Task.FromResult(Matching(query, [SandboxState.Running]).Count());
        }
    }

    private IEnumerable<SandboxRecord> Matching(SandboxListQuery query, IReadOnlyCollection<SandboxState> states) =>
        _records.Values.Where(r =>
            states.Contains(r.State)
            && (query.TemplateId is null || r.TemplateId == query.TemplateId)
            && (query.StartedAfter is null || r.StartedAt >= query.StartedAfter)
            && query.Metadata.All(pair => r.Metadata.TryGetValue(pair.Key, out var value) && value == pair.Value));

    // The same order as the SQL stores: (started_at DESC, id ASC), or its exact reverse.
    private static bool IsAfter(SandboxRecord r, ListCursor cursor, bool ascending) => ascending
        ? r.StartedAt > cursor.StartedAt || (r.StartedAt == cursor.StartedAt && string.CompareOrdinal(r.Id, cursor.SandboxId) < 0)
        : r.StartedAt < cursor.StartedAt || (r.StartedAt == cursor.StartedAt && string.CompareOrdinal(r.Id, cursor.SandboxId) > 0);
}
