namespace Paddock.Core.Lifecycle;

/// <summary>
/// One timer over a priority queue of deadlines, one deadline per sandbox. Rescheduling a sandbox
/// replaces its deadline; stale queue entries are skipped when they surface (lazy deletion), so
/// <see cref="Schedule"/> and <see cref="Cancel"/> are O(log n) and the timer is re-armed only for the
/// earliest deadline.
/// </summary>
public sealed class TimeoutScheduler : IDisposable
{
    // Timer periods are capped; a far deadline just re-arms when the cap passes.
    private static readonly TimeSpan s_maxArm = TimeSpan.FromHours(1);

    private readonly TimeProvider _time;
    private readonly Func<string, Task> _onDue;
    private readonly Lock _gate = new();
    private readonly PriorityQueue<string, DateTimeOffset> _queue = new();
    private readonly Dictionary<string, DateTimeOffset> _deadlines = new(StringComparer.Ordinal);
    private readonly ITimer _timer;
    private bool _disposed;

    /// <summary>Creates a scheduler that calls <paramref name="onDue"/> with a sandbox id when its deadline passes.</summary>
    public TimeoutScheduler(TimeProvider time, Func<string, Task> onDue)
    {
        _time = time;
        _onDue = onDue;
        _timer = time.CreateTimer(_ => Fire(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>The number of sandboxes with a deadline.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _deadlines.Count;
            }
        }
    }

    /// <summary>The deadline of a sandbox, if it has one.</summary>
    public DateTimeOffset? DeadlineOf(string sandboxId)
    {
        lock (_gate)
        {
            return _deadlines.TryGetValue(sandboxId, out var at) ? at : null;
        }
    }

    /// <summary>Sets (or replaces) a sandbox's deadline.</summary>
    public void Schedule(string sandboxId, DateTimeOffset deadline)
    {
        lock (_gate)
        {
            _deadlines[sandboxId] = deadline;
            _queue.Enqueue(sandboxId, deadline);
            ArmLocked();
        }
    }

    /// <summary>Removes a sandbox's deadline.</summary>
    public void Cancel(string sandboxId)
    {
        lock (_gate)
        {
            _deadlines.Remove(sandboxId);
        }
    }

    private void Fire()
    {
        List<string> due = [];
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var now = _time.GetUtcNow();
            while (_queue.TryPeek(out var id, out var at) && at <= now)
            {
                _queue.Dequeue();
                if (_deadlines.TryGetValue(id, out var current) && current == at)
                {
                    _deadlines.Remove(id);
                    due.Add(id);
                }
            }

            ArmLocked();
        }

        foreach (var id in due)
        {
            _ = _onDue(id);
        }
    }

    private void ArmLocked()
    {
        if (_disposed)
        {
            return;
        }

        // Drop stale heads so the timer is armed for a deadline that still counts.
        while (_queue.TryPeek(out var id, out var at)
            && (!_deadlines.TryGetValue(id, out var current) || current != at))
        {
            _queue.Dequeue();
        }

        if (!_queue.TryPeek(out _, out var next))
        {
            _timer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        var wait = next - _time.GetUtcNow();
        if (wait < TimeSpan.Zero)
        {
            wait = TimeSpan.Zero;
        }

        _timer.Change(wait > s_maxArm ? s_maxArm : wait, Timeout.InfiniteTimeSpan);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
        }

        _timer.Dispose();
    }
}
