using System.Runtime.InteropServices;
using System.Threading.Channels;
using Paddock.Runtime.Native;

namespace Paddock.Runtime.Crun;

/// <summary>
/// Learns at once when a sandbox's init (its agent) ends, whatever ended it: one thread waits in epoll on
/// a process descriptor per sandbox, so thousands of sandboxes cost one thread and no polling. A sandbox
/// the runtime is deleting is forgotten first, so only deaths nobody asked for are reported.
/// </summary>
internal sealed class InitWatcher : IDisposable
{
    // epoll_wait wakes this often to notice disposal (closing the epoll descriptor does not wake it).
    private const int WakeMs = 1000;

    private readonly int _epoll = PidFd.CreateEpoll();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (int Fd, ulong Token)> _bySandbox = new(StringComparer.Ordinal);
    private readonly Dictionary<ulong, string> _byToken = [];
    private readonly System.Threading.Channels.Channel<string> _exited = System.Threading.Channels.Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
    private Thread? _thread;
    private ulong _nextToken;
    private volatile bool _disposed;

    /// <summary>Ids of sandboxes whose init ended while watched.</summary>
    public ChannelReader<string> Exited => _exited.Reader;

    /// <summary>Starts watching a sandbox's init; one that is already gone is reported at once.</summary>
    public void Watch(string sandboxId, int pid)
    {
        var fd = PidFd.Open(pid);
        if (fd < 0)
        {
            _exited.Writer.TryWrite(sandboxId);
            return;
        }

        lock (_gate)
        {
            ForgetLocked(sandboxId);
            var token = ++_nextToken;
            _bySandbox[sandboxId] = (fd, token);
            _byToken[token] = sandboxId;
            PidFd.Add(_epoll, fd, token);
            if (_thread is null)
            {
                _thread = new Thread(Run) { IsBackground = true, Name = "paddock-init-watch" };
                _thread.Start();
            }
        }
    }

    /// <summary>Stops watching (before the runtime ends the sandbox itself).</summary>
    public void Forget(string sandboxId)
    {
        lock (_gate)
        {
            ForgetLocked(sandboxId);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _thread?.Join();
        lock (_gate)
        {
            foreach (var id in _bySandbox.Keys.ToList())
            {
                ForgetLocked(id);
            }
        }

        Libc.Close(_epoll);
        _exited.Writer.TryComplete();
    }

    private void ForgetLocked(string sandboxId)
    {
        if (_bySandbox.Remove(sandboxId, out var watched))
        {
            _byToken.Remove(watched.Token);
            PidFd.Remove(_epoll, watched.Fd);
            Libc.Close(watched.Fd);
        }
    }

    private void Run()
    {
        var events = new PidFd.EpollEvent[64];
        while (!_disposed)
        {
            var count = PidFd.Wait(_epoll, events, WakeMs);
            if (count < 0 && Marshal.GetLastPInvokeError() != Libc.Eintr)
            {
                return;
            }

            for (var i = 0; i < count; i++)
            {
                lock (_gate)
                {
                    if (_byToken.TryGetValue(events[i].Data, out var sandboxId))
                    {
                        ForgetLocked(sandboxId);
                        _exited.Writer.TryWrite(sandboxId);
                    }
                }
            }
        }
    }
}
