namespace Paddock.Agent.Sleep;

/// <summary>
/// The door every connection to the agent comes in by (Kestrel's listeners and the port tunnel's), counting the
/// connections inside. Before the agent sleeps it closes the door: pending accepts are cancelled, so a client that
/// connects from then on waits in the listener's queue for the agent that wakes, and no connection is accepted by
/// a process about to be replaced. If one got in meanwhile, the door opens again and the agent stays awake.
/// </summary>
internal sealed class AcceptGate : IDisposable
{
    private readonly Lock _lock = new();
    private CancellationTokenSource _closing = new();
    private TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource? _settled;
    private bool _closed;
    private int _accepting;
    private int _connections;
    private long _lastChange = Environment.TickCount64;

    /// <summary>Connections accepted and not yet ended.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>When a connection last came or went (<see cref="Environment.TickCount64"/>).</summary>
    public long LastChange => Interlocked.Read(ref _lastChange);

    /// <summary>Accepts with <paramref name="accept"/> while the door is open, waiting while it is shut.</summary>
    public async ValueTask<T> AcceptAsync<T>(Func<CancellationToken, ValueTask<T>> accept, CancellationToken cancellationToken)
    {
        while (true)
        {
            CancellationToken closing;
            Task opened;
            bool closed;
            lock (_lock)
            {
                opened = _opened.Task;
                closing = _closing.Token;
                closed = _closed;
                if (!closed)
                {
                    _accepting++;
                }
            }

            if (closed)
            {
                await opened.WaitAsync(cancellationToken);
                continue;
            }

            try
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, closing);
                var accepted = await accept(either.Token);
                if (accepted is not null)
                {
                    Interlocked.Increment(ref _connections);
                    Interlocked.Exchange(ref _lastChange, Environment.TickCount64);
                }

                return accepted;
            }
            catch (OperationCanceledException) when (closing.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                // Shut while waiting: wait for it to open again.
            }
            finally
            {
                lock (_lock)
                {
                    if (--_accepting == 0 && _closed)
                    {
                        _settled?.TrySetResult();
                    }
                }
            }
        }
    }

    /// <summary>A connection accepted through the gate has ended.</summary>
    public void Ended()
    {
        Interlocked.Decrement(ref _connections);
        Interlocked.Exchange(ref _lastChange, Environment.TickCount64);
    }

    /// <summary>
    /// Shuts the door and waits until no accept is under way; true if no connection is inside then. Either way the
    /// door stays shut until <see cref="Open"/>.
    /// </summary>
    public async Task<bool> CloseAsync()
    {
        CancellationTokenSource closing;
        Task settled;
        lock (_lock)
        {
            _closed = true;
            closing = _closing;
            _settled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_accepting == 0)
            {
                _settled.TrySetResult();
            }

            settled = _settled.Task;
        }

        await closing.CancelAsync();
        await settled;
        return Connections == 0;
    }

    /// <summary>Opens the door again (the agent stays awake).</summary>
    public void Open()
    {
        TaskCompletionSource opened;
        lock (_lock)
        {
            _closed = false;
            _closing.Dispose();
            _closing = new CancellationTokenSource();
            opened = _opened;
            _opened = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        opened.TrySetResult();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _closing.Dispose();
        }
    }
}
