using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using NetMQ;
using NetMQ.Sockets;
using Paddock.Agent.Process;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// A Jupyter kernel process and the agent's ZeroMQ sockets to it: requests go out on shell (and
/// control), and every reply or iopub message is routed to the execution whose request it answers.
/// One poller thread owns the sockets; other threads hand it frames through a queue.
/// </summary>
internal sealed class JupyterKernel : IAsyncDisposable
{
    private const long MaxMessageBytes = 32L * 1024 * 1024;
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    // How long one kernel_info attempt of a starting kernel waits, and how long for the idle status once the reply came.
    private static readonly TimeSpan s_readyAttempt = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan s_idleAfterReply = TimeSpan.FromMilliseconds(50);

    // An execution whose reply came is over once its idle status comes too; if the idle status was lost (an
    // oversized message dropped iopub's connection for a moment), it is over this long after the reply.
    private static readonly TimeSpan s_idleGrace = TimeSpan.FromSeconds(2);

    private readonly System.Diagnostics.Process _process;
    private readonly string _connectionFile;
    private readonly byte[] _key;
    private readonly string _session = Guid.NewGuid().ToString("N");
    private readonly DealerSocket _shell = new();
    private readonly DealerSocket _control = new();
    private readonly SubscriberSocket _iopub = new();
    private readonly NetMQQueue<(NetMQSocket Socket, byte[][] Frames)> _outbox = new();
    private readonly NetMQPoller _poller;
    private readonly ConcurrentDictionary<string, Listener> _listeners = new(StringComparer.Ordinal);

    private JupyterKernel(System.Diagnostics.Process process, string connectionFile, byte[] key, int[] ports)
    {
        _process = process;
        Pid = process.Id.ToString(CultureInfo.InvariantCulture);
        _connectionFile = connectionFile;
        _key = key;
        _shell.Connect($"tcp://127.0.0.1:{ports[0]}");
        // A message past this size is refused by ZeroMQ itself (the connection drops and comes back), so no
        // single output of a cell can make the agent allocate without bound.
        _iopub.Options.MaxMsgSize = MaxMessageBytes;
        _shell.Options.MaxMsgSize = MaxMessageBytes;
        _iopub.Connect($"tcp://127.0.0.1:{ports[1]}");
        _iopub.SubscribeToAnyTopic();
        _control.Connect($"tcp://127.0.0.1:{ports[3]}");
        _shell.ReceiveReady += (_, e) => Route(e.Socket);
        _iopub.ReceiveReady += (_, e) => Route(e.Socket);
        _control.ReceiveReady += (_, e) => Route(e.Socket);
        _outbox.ReceiveReady += (_, e) =>
        {
            while (e.Queue.TryDequeue(out var item, TimeSpan.Zero))
            {
                item.Socket.SendMultipartBytes(item.Frames);
            }
        };
        _poller = [_shell, _iopub, _control, _outbox];
        _poller.RunAsync("jupyter-kernel", isBackgroundThread: true);
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            AgentLog.Info("Code kernel exited", ("pid", Pid), ("status", ExitDescription()));
            foreach (var listener in _listeners.Values)
            {
                listener.Messages.Writer.TryComplete(new KernelDiedException(ExitDescription()));
            }
        };
    }

    public bool HasExited => _process.HasExited;

    // Kept as text from the start: the process may be disposed by the time its exit is logged.
    public string Pid { get; }

    /// <summary>Starts a kernel as <paramref name="user"/> in <paramref name="cwd"/> and waits until it answers.</summary>
    public static async Task<JupyterKernel> StartAsync(KernelSpec spec, SandboxUser user, string cwd, IReadOnlyDictionary<string, string> envVars, CancellationToken cancellationToken)
    {
        var ports = FreePorts(5);
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var directory = Path.Combine(Path.GetTempPath(), "paddock-kernels");
        Directory.CreateDirectory(directory);
        var connectionFile = Path.Combine(directory, $"kernel-{Guid.NewGuid():N}.json");
        var connection = new JsonObject
        {
            ["shell_port"] = ports[0],
            ["iopub_port"] = ports[1],
            ["stdin_port"] = ports[2],
            ["control_port"] = ports[3],
            ["hb_port"] = ports[4],
            ["ip"] = "127.0.0.1",
            ["key"] = key,
            ["transport"] = "tcp",
            ["signature_scheme"] = "hmac-sha256",
            ["kernel_name"] = spec.Name,
        };
        await File.WriteAllTextAsync(connectionFile, connection.ToJsonString(), cancellationToken);
        File.SetUnixFileMode(connectionFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        _ = Filesystem.Native.LChown(connectionFile, user.Uid, user.Gid);

        // The kernel's own output (not its cells': those come over iopub) goes to the agent, which logs a
        // bounded part of it: a kernel must not write to the sandbox's log file without limit.
        var info = new System.Diagnostics.ProcessStartInfo(spec.Argv[0])
        {
            UseShellExecute = false,
            WorkingDirectory = cwd,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in spec.Argv.Skip(1))
        {
            info.ArgumentList.Add(arg == KernelSpec.ConnectionFilePlaceholder ? connectionFile : arg);
        }

        user.Apply(info, envVars);
        info.Environment["PYTHONPATH"] = KernelSpec.PythonHelpers;

        var process = await ProcessLauncher.StartAsync(info);
        var kernel = new JupyterKernel(process, connectionFile, Encoding.ASCII.GetBytes(key), ports);
        _ = KernelOutput.DrainAsync(process.StandardOutput.BaseStream, spec.Name, kernel.Pid);
        _ = KernelOutput.DrainAsync(process.StandardError.BaseStream, spec.Name, kernel.Pid);
        try
        {
            await kernel.WaitReadyAsync(cancellationToken);
            AgentLog.Info("Code kernel started", ("kernel", spec.Name), ("pid", kernel.Pid), ("user", info.UserName), ("cwd", cwd));
            return kernel;
        }
        catch
        {
            await kernel.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Sends an execute request; the reader yields every message about it and completes once the
    /// kernel has replied and gone idle (or fails with <see cref="KernelDiedException"/>).
    /// </summary>
    public ChannelReader<JupyterMessage> Execute(string code, bool silent)
    {
        var request = JupyterMessage.Create("execute_request", _session, new JsonObject
        {
            ["code"] = code,
            ["silent"] = silent,
            ["store_history"] = !silent,
            ["user_expressions"] = new JsonObject(),
            ["allow_stdin"] = false,
            ["stop_on_error"] = true,
        });
        return Send(_shell, request);
    }

    /// <summary>Runs code without output (the env var set-up and reset around an execution) and waits until it is done.</summary>
    public async Task RunSilentlyAsync(string code, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in Execute(code, silent: true).ReadAllAsync(cancellationToken))
            {
                if (message.Type == "error")
                {
                    AgentLog.Warn(
                        "Code the agent runs around an execution failed",
                        ("pid", Pid),
                        ("error", $"{message.Content["ename"]}: {message.Content["evalue"]}"));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Reads an execution's messages to its end (or until <paramref name="cancellationToken"/> fires), dropping them.</summary>
    public static async Task DrainAsync(ChannelReader<JupyterMessage> messages, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var _ in messages.ReadAllAsync(cancellationToken))
            {
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Interrupts what the kernel runs (SIGINT, ipykernel's default interrupt mode).</summary>
    public void Interrupt()
    {
        if (!_process.HasExited)
        {
            _ = Process.Native.Kill(_process.Id, 2);
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var listener in _listeners.Values)
        {
            listener.Messages.Writer.TryComplete(new KernelDiedException("the context was shut down"));
        }

        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
        }

        _poller.Stop();
        _poller.Dispose();
        _shell.Dispose();
        _iopub.Dispose();
        _control.Dispose();
        _outbox.Dispose();
        _process.Dispose();
        File.Delete(_connectionFile);
    }

    private ChannelReader<JupyterMessage> Send(NetMQSocket socket, JupyterMessage message)
    {
        var listener = new Listener();
        _listeners[message.Id] = listener;
        if (_process.HasExited)
        {
            listener.Messages.Writer.TryComplete(new KernelDiedException(ExitDescription()));
        }

        _outbox.Enqueue((socket, message.Encode(_key)));
        return listener.Messages.Reader;
    }

    // Runs on the poller thread.
    private void Route(NetMQSocket socket)
    {
        // The poller thread serves every execution of this kernel: nothing one message does may end it.
        try
        {
            Deliver(socket.ReceiveMultipartBytes());
        }
        catch (Exception ex)
        {
            AgentLog.Error("A kernel message could not be handled", ("pid", Pid), ("error", ex.Message));
        }
    }

    private void Deliver(List<byte[]> frames)
    {
        if (JupyterMessage.Decode(frames, _key) is not { ParentId: { } parent } message || !_listeners.TryGetValue(parent, out var listener))
        {
            return;
        }

        if (!listener.Messages.Writer.TryWrite(message) && !listener.WaitToWrite(message))
        {
            // Its reader stopped reading (a client that went away without draining): it gets no more, and the
            // poller, which serves every execution of this kernel, goes on.
            _listeners.TryRemove(parent, out _);
            listener.Messages.Writer.TryComplete(new KernelDiedException("the execution's reader stopped reading its output"));
            return;
        }

        if (message.Type == "status")
        {
            listener.Idle |= message.Content["execution_state"]?.GetValue<string>() == "idle";
        }
        else if (message.Type.EndsWith("_reply", StringComparison.Ordinal))
        {
            listener.Replied = true;
            if (!listener.Idle)
            {
                _ = Task.Delay(s_idleGrace, OnDemandTimeProvider.Instance).ContinueWith(
                    _ =>
                    {
                        if (_listeners.TryRemove(new KeyValuePair<string, Listener>(parent, listener)))
                        {
                            listener.Messages.Writer.TryComplete();
                        }
                    },
                    CancellationToken.None,
                    TaskContinuationOptions.ExecuteSynchronously,
                    TaskScheduler.Default);
            }
        }

        if (listener.Idle && listener.Replied)
        {
            _listeners.TryRemove(parent, out _);
            listener.Messages.Writer.TryComplete();
        }
    }

    // A kernel answers kernel_info on shell at once, but iopub messages reach a new subscriber only once
    // its subscription has propagated: ready means both a reply and its idle status arrived.
    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        using var startTimeout = new CancellationTokenSource(s_startTimeout, OnDemandTimeProvider.Instance);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, startTimeout.Token);
        while (true)
        {
            var reader = Send(_shell, JupyterMessage.Create("kernel_info_request", _session, []));
            using var attemptTimeout = new CancellationTokenSource(s_readyAttempt, OnDemandTimeProvider.Instance);
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, attemptTimeout.Token);
            try
            {
                await foreach (var message in reader.ReadAllAsync(attempt.Token))
                {
                    // The kernel is up; its idle status follows at once unless the subscription missed it, and
                    // then asking again soon beats waiting out the attempt (which made every start a multiple of it).
                    if (message.Type == "kernel_info_reply")
                    {
                        attemptTimeout.CancelAfter(s_idleAfterReply);
                    }
                }

                return;
            }
            catch (OperationCanceledException) when (!deadline.IsCancellationRequested)
            {
                // Not there yet: ask again.
            }
            catch (OperationCanceledException)
            {
                throw new KernelDiedException($"the kernel did not answer within {s_startTimeout.TotalSeconds:0} s");
            }
        }
    }

    private string ExitDescription()
    {
        try
        {
            return $"the kernel exited with code {_process.ExitCode.ToString(CultureInfo.InvariantCulture)}";
        }
        catch (InvalidOperationException)
        {
            return "the kernel exited";
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        listeners.ForEach(l => l.Start());
        var ports = listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        listeners.ForEach(l => l.Stop());
        return ports;
    }

    private sealed class Listener
    {
        // Bounded, so output a client reads slowly waits in the kernel (and ZeroMQ's queue), not in the agent.
        private const int Capacity = 16;
        private static readonly TimeSpan s_readerPatience = TimeSpan.FromSeconds(30);

        public Channel<JupyterMessage> Messages { get; } = Channel.CreateBounded<JupyterMessage>(
            new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

        /// <summary>Blocks the poller thread until the reader makes room; false if it does not in time.</summary>
        public bool WaitToWrite(JupyterMessage message)
        {
            using var patience = new CancellationTokenSource(s_readerPatience, OnDemandTimeProvider.Instance);
            try
            {
                Messages.Writer.WriteAsync(message, patience.Token).AsTask().GetAwaiter().GetResult();
                return true;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
            {
                return false;
            }
        }

        public bool Idle { get; set; }

        public bool Replied { get; set; }
    }
}

/// <summary>The kernel process ended (or never answered) while work was waiting on it.</summary>
internal sealed class KernelDiedException(string message) : Exception(message);
