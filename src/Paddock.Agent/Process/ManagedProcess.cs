using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Paddock.Agent.Process;

/// <summary>
/// One process the agent started: its output is fanned out, as process events, to every client
/// watching it (the one that started it and any that connect later), and its end is kept for them.
/// </summary>
internal sealed class ManagedProcess
{

    // Each watcher holds a few chunks of output at most: a client that reads slowly slows the process down
    // (its pipe fills) instead of growing the agent's memory; one that stops reading is dropped in time.
    private const int WatcherCapacity = 64;
    private static readonly TimeSpan s_watcherPatience = TimeSpan.FromSeconds(30);

    private readonly System.Diagnostics.Process _process;
    private readonly Stream? _stdin;
    private readonly Lock _gate = new();
    private readonly List<Channel<JsonObject>> _watchers = [];
    // Completes as soon as the process is reaped, before its output is drained; set by Run, before anything can
    // ask (a deadline must not kill a process that already ended).
    private Task _exited = Task.CompletedTask;
    private JsonObject? _end;
    private int _signal;
    private int _deadlinePassed;

    public ManagedProcess(System.Diagnostics.Process process, JsonObject config, string? tag, Pseudoterminal? terminal)
    {
        _process = process;
        Config = config;
        Tag = tag;
        Terminal = terminal;
        Pid = process.Id;
        // Taken now: a quick process can end, and its Process be disposed, before a caller writes to it.
        _stdin = terminal is null ? process.StandardInput.BaseStream : null;
    }

    public int Pid { get; }

    public string? Tag { get; }

    public JsonObject Config { get; }

    public Task Completion { get; private set; } = Task.CompletedTask;

    /// <summary>The process's terminal, when it was started with one (its output then comes as <c>pty</c> data).</summary>
    public Pseudoterminal? Terminal { get; }

    /// <summary>Writes to the process's stdin, or to its terminal's input.</summary>
    public async Task WriteInputAsync(byte[] data)
    {
        if (Terminal is not null)
        {
            Terminal.Write(data);
            return;
        }

        await _stdin!.WriteAsync(data);
        await _stdin.FlushAsync();
    }

    /// <summary>Starts pumping output; <paramref name="onExit"/> runs once the end event is out.</summary>
    public void Run(Action<ManagedProcess> onExit)
    {
        var exited = _exited = _process.WaitForExitAsync();
        Completion = Task.Run(async () =>
        {
            if (Terminal is not null)
            {
                // The terminal is read on a thread of its own, which may wait for a slow watcher.
                await Terminal.PumpAsync((buffer, count) => PublishAsync("pty", buffer, count).AsTask().GetAwaiter().GetResult(), exited);
                Terminal.Dispose();
            }
            else
            {
                await Task.WhenAll(
                    PumpAsync(_process.StandardOutput.BaseStream, "stdout"),
                    PumpAsync(_process.StandardError.BaseStream, "stderr"));
            }

            await exited;
            var end = EndEvent(_process.ExitCode, Volatile.Read(ref _signal));
            AgentLog.Info("Process exited", ("pid", Pid.ToString(CultureInfo.InvariantCulture)), ("status", end["end"]!["status"]!.GetValue<string>()));
            List<Channel<JsonObject>> watchers;
            lock (_gate)
            {
                _end = end;
                watchers = [.. _watchers];
                _watchers.Clear();
            }

            foreach (var watcher in watchers)
            {
                if (await DeliverAsync(watcher, end))
                {
                    watcher.Writer.TryComplete();
                }
            }

            _process.Dispose();
            onExit(this);
        });
    }

    /// <summary>Events from now on (the end event last); already ended: just the end event.</summary>
    public ChannelReader<JsonObject> Watch()
    {
        var channel = Channel.CreateBounded<JsonObject>(new BoundedChannelOptions(WatcherCapacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        lock (_gate)
        {
            if (_end is not null)
            {
                channel.Writer.TryWrite(_end);
                channel.Writer.TryComplete();
            }
            else
            {
                _watchers.Add(channel);
            }
        }

        return channel.Reader;
    }

    public void Unwatch(ChannelReader<JsonObject> reader)
    {
        lock (_gate)
        {
            _watchers.RemoveAll(c => c.Reader == reader);
        }
    }

    public void Signal(int signal)
    {
        Volatile.Write(ref _signal, signal);
        if (signal != Native.SigKill)
        {
            Native.Kill(Pid, signal);
            return;
        }

        // A kill takes the children too (`bash -c "sleep 30"` would otherwise hold the output open).
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException or System.ComponentModel.Win32Exception)
        {
            Native.Kill(Pid, signal);
        }
    }

    /// <summary>True once the caller's deadline has ended the process: its end is the deadline's, not an ordinary exit.</summary>
    public bool EndedByDeadline => Volatile.Read(ref _deadlinePassed) == 1;

    /// <summary>
    /// Ends the process at its caller's deadline, <paramref name="after"/> from now, unless it ended before, whether
    /// or not the caller is still there. See <see cref="ExceedDeadline"/>.
    /// </summary>
    public void EndAt(TimeSpan after, Action<ManagedProcess> forget)
    {
        // Disarmed when the process ends first, so a command that ended holds no timer until its deadline.
        var timer = OnDemandTimeProvider.Instance.CreateTimer(_ => ExceedDeadline(forget), null, after, Timeout.InfiniteTimeSpan);
        _exited.ContinueWith(
            static (_, t) => ((ITimer)t!).Dispose(),
            timer,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>
    /// The deadline passed: the process leaves the list at once (<paramref name="forget"/>), so a list that follows
    /// the caller's deadline error never shows it, is marked as ended by the deadline, and is killed with its children
    /// on the thread pool, so the caller's stream can say deadline_exceeded without waiting for the kill. Idempotent:
    /// the process's timer and the caller's stream may both get here.
    /// </summary>
    public void ExceedDeadline(Action<ManagedProcess> forget)
    {
        if (_exited.IsCompleted || Interlocked.Exchange(ref _deadlinePassed, 1) == 1)
        {
            return;
        }

        forget(this);
        ThreadPool.UnsafeQueueUserWorkItem(process => process.Signal(Native.SigKill), this, preferLocal: false);
    }

    public async Task CloseStdinAsync()
    {
        try
        {
            if (_stdin is not null)
            {
                await _stdin.DisposeAsync();
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            // Already closed: the process ended.
        }
    }

    private async Task PumpAsync(Stream stream, string name)
    {
        var buffer = new byte[32 * 1024];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            await PublishAsync(name, buffer, read);
        }
    }

    private async ValueTask PublishAsync(string name, byte[] buffer, int count)
    {
        var data = new JsonObject { ["data"] = new JsonObject { [name] = Convert.ToBase64String(buffer, 0, count) } };
        List<Channel<JsonObject>> watchers;
        lock (_gate)
        {
            watchers = [.. _watchers];
        }

        foreach (var watcher in watchers)
        {
            await DeliverAsync(watcher, data);
        }
    }

    // False when the watcher stopped reading: it is dropped, and its stream ends with an error.
    private async ValueTask<bool> DeliverAsync(Channel<JsonObject> watcher, JsonObject item)
    {
        if (watcher.Writer.TryWrite(item))
        {
            return true;
        }

        using var patience = new CancellationTokenSource(s_watcherPatience, OnDemandTimeProvider.Instance);
        try
        {
            await watcher.Writer.WriteAsync(item, patience.Token);
            return true;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            lock (_gate)
            {
                _watchers.Remove(watcher);
            }

            watcher.Writer.TryComplete(new TimeoutException("the client stopped reading the process's output"));
            return false;
        }
    }

    // envd's end event: exit codes as Go's os/exec reports them, "signal: killed" when we killed it.
    private static JsonObject EndEvent(int exitCode, int signal)
    {
        var end = new JsonObject();
        if (signal != 0 && exitCode == 128 + signal)
        {
            var status = signal == Native.SigKill ? "signal: killed" : signal == Native.SigTerm ? "signal: terminated" : $"signal: {signal}";
            end["exitCode"] = -1;
            end["status"] = status;
            end["error"] = status;
        }
        else
        {
            if (exitCode != 0)
            {
                end["exitCode"] = exitCode;
                end["error"] = $"exit status {exitCode}";
            }

            end["exited"] = true;
            end["status"] = $"exit status {exitCode}";
        }

        return new JsonObject { ["end"] = end };
    }
}
