using Paddock.Core.Errors;
using Paddock.Core.SandboxRuntime;
using Paddock.Core.Storage;

namespace Paddock.Core.Logs;

/// <summary>
/// A sandbox's log as users see it: the platform's entries (from the store) and the agent's (from the
/// runtime) merged in time order, for any sandbox with a record, killed ones included.
/// </summary>
public sealed class SandboxLogReader(ISandboxStore store, ISandboxLogStore platformLog, ISandboxRuntime runtime)
{
    /// <summary>The entries matching <paramref name="query"/>; not found when no sandbox had this id.</summary>
    public async Task<IReadOnlyList<SandboxLogEntry>> ReadAsync(string sandboxId, SandboxLogQuery query, CancellationToken cancellationToken)
    {
        Validate(query);
        if (await store.GetAsync(sandboxId, cancellationToken) is null)
        {
            throw new SandboxNotFoundException(sandboxId);
        }

        var platform = await platformLog.ReadAsync(sandboxId, query, cancellationToken);
        var inside = await SelectAsync(runtime.ReadLogAsync(sandboxId, cancellationToken), query, cancellationToken);
        return Merge(platform, inside, query);
    }

    private static void Validate(SandboxLogQuery query)
    {
        if (query.Limit < 1)
        {
            throw new PaddockException(ErrorKind.InvalidArgument, "limit must be at least 1");
        }
    }

    // The runtime's log comes oldest first and may be long: forward stops at the limit, backward keeps only
    // the last `limit` matches, so memory stays bounded by the limit either way.
    private static async Task<List<SandboxLogEntry>> SelectAsync(
        IAsyncEnumerable<SandboxLogEntry> entries, SandboxLogQuery query, CancellationToken cancellationToken)
    {
        var window = new Queue<SandboxLogEntry>();
        await foreach (var entry in entries.WithCancellation(cancellationToken))
        {
            if (!query.Matches(entry))
            {
                continue;
            }

            window.Enqueue(entry);
            if (window.Count > query.Limit)
            {
                window.Dequeue();
            }
            else if (!query.Backward && window.Count == query.Limit)
            {
                break;
            }
        }

        var selected = window.ToList();
        if (query.Backward)
        {
            selected.Reverse();
        }

        return selected;
    }

    private static List<SandboxLogEntry> Merge(IReadOnlyList<SandboxLogEntry> a, List<SandboxLogEntry> b, SandboxLogQuery query)
    {
        var merged = new List<SandboxLogEntry>(Math.Min(query.Limit, a.Count + b.Count));
        int i = 0, j = 0;
        while (merged.Count < query.Limit && (i < a.Count || j < b.Count))
        {
            // On equal times the platform's entry comes first: it is what made the agent's possible (created).
            merged.Add(j >= b.Count || (i < a.Count && !query.Precedes(b[j], a[i])) ? a[i++] : b[j++]);
        }

        return merged;
    }
}
