namespace Paddock.Agent;

/// <summary>
/// The agent's clock for deadlines, keepalives and delays: its timers run on one thread of their own, which starts
/// when a timer is armed and exits once none has been armed for <see cref="Linger"/>. The framework's timer thread,
/// once started, waits for ever; every agent thread is a host task the sandbox holds for its whole life
/// (<c>kernel.pid_max</c> caps them on the host), so an agent that once ran one command kept it while idle for hours.
/// Callbacks run on the thread pool, as the framework's do.
/// </summary>
internal sealed partial class OnDemandTimeProvider : TimeProvider
{
    // An object, not a Lock: the thread waits on it with Monitor.Wait.
    private readonly object _lock = new();
    private readonly PriorityQueue<(OnDemandTimer Timer, long Version), long> _due = new();
    private int _armed;
    private bool _running;

    /// <param name="linger">How long the thread waits for a new timer before it exits.</param>
    public OnDemandTimeProvider(TimeSpan linger) => Linger = linger;

    /// <summary>The agent's one instance: 2 s keeps the thread through a stream's keepalive reads, which arm and
    /// disarm a timer per message, without keeping it long after the last request.</summary>
    public static OnDemandTimeProvider Instance { get; } = new(TimeSpan.FromSeconds(2));

    public TimeSpan Linger { get; }

    /// <summary>True while the timer thread exists (for tests).</summary>
    public bool ThreadRunning
    {
        get
        {
            lock (_lock)
            {
                return _running;
            }
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new OnDemandTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    // Called under no lock by the timer; a change replaces the timer's pending entry (by its version), so a stale
    // entry is dropped when it comes due rather than searched for.
    private void Schedule(OnDemandTimer timer, TimeSpan dueTime, TimeSpan period, bool dispose = false)
    {
        lock (_lock)
        {
            if (timer.Disposed)
            {
                return;
            }

            timer.Disposed = dispose;

            var wasArmed = timer.Armed;
            timer.Version++;
            timer.Period = period;
            timer.Armed = dueTime != Timeout.InfiniteTimeSpan;
            _armed += (timer.Armed ? 1 : 0) - (wasArmed ? 1 : 0);
            if (timer.Armed)
            {
                _due.Enqueue((timer, timer.Version), Environment.TickCount64 + (long)Math.Ceiling(dueTime.TotalMilliseconds));
                if (!_running)
                {
                    _running = true;
                    new Thread(Run) { IsBackground = true, Name = "paddock-timers" }.UnsafeStart();
                }
            }
            else if (_armed == 0)
            {
                // Nothing left to wait for: the entries still queued are all stale.
                _due.Clear();
            }

            Monitor.PulseAll(_lock);
        }
    }

    private void Run()
    {
        lock (_lock)
        {
            while (true)
            {
                if (_armed == 0)
                {
                    _due.Clear();
                    if (!Monitor.Wait(_lock, Linger) && _armed == 0)
                    {
                        _running = false;
                        return;
                    }

                    continue;
                }

                var (timer, version) = _due.Peek();
                if (timer.Version != version || !timer.Armed)
                {
                    _due.Dequeue();
                    continue;
                }

                _due.TryPeek(out _, out var dueAt);
                var wait = dueAt - Environment.TickCount64;
                if (wait > 0)
                {
                    Monitor.Wait(_lock, TimeSpan.FromMilliseconds(wait));
                    continue;
                }

                _due.Dequeue();
                if (timer.Period > TimeSpan.Zero && timer.Period != Timeout.InfiniteTimeSpan)
                {
                    _due.Enqueue((timer, version), Environment.TickCount64 + (long)Math.Ceiling(timer.Period.TotalMilliseconds));
                }
                else
                {
                    timer.Armed = false;
                    _armed--;
                }

                ThreadPool.UnsafeQueueUserWorkItem(static t => t.Fire(), timer, preferLocal: false);
            }
        }
    }
}
