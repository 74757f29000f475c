using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Agent.Connect;

namespace Paddock.Agent.Process;

/// <summary>
/// envd's <c>process.Process</c> service: start processes as a sandbox user and stream their output,
/// reconnect to them by pid or tag, list them, send them input and signals.
/// </summary>
internal sealed class ProcessService(AgentState state)
{
    private static readonly TimeSpan s_callerClockLead = TimeSpan.FromMilliseconds(250);

    // How long a SIGKILL's answer waits for the process to be gone.
    private static readonly TimeSpan s_killSettles = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<int, ManagedProcess> _processes = new();

    public Task HandleAsync(HttpContext context, string method) => method switch
    {
        "Start" => StreamAsync(context, StartAsync),
        "Connect" => StreamAsync(context, ConnectAsync),
        "List" => UnaryAsync(context, _ => Task.FromResult<JsonNode>(List())),
        "SendInput" => UnaryAsync(context, SendInputAsync),
        "SendSignal" => UnaryAsync(context, SendSignalAsync),
        "CloseStdin" => UnaryAsync(context, CloseStdinAsync),
        "Update" => UnaryAsync(context, UpdateAsync),
        _ => UnaryAsync(context, _ => throw new ConnectException(ConnectCode.Unimplemented, $"process.Process/{method} is not implemented")),
    };

    private static async Task UnaryAsync(HttpContext context, Func<JsonObject, Task<JsonNode>> call)
    {
        try
        {
            var request = await ConnectProtocol.ReadUnaryAsync(context.Request, context.RequestAborted);
            await ConnectProtocol.WriteUnaryAsync(context.Response, await call(request), context.RequestAborted);
        }
        catch (ConnectException ex)
        {
            await ConnectProtocol.WriteUnaryErrorAsync(context.Response, ex);
        }
    }

    private static async Task StreamAsync(HttpContext context, Func<HttpContext, JsonObject, Task> call)
    {
        ConnectStream.StartClock(context);
        ConnectProtocol.StartStream(context.Response);
        try
        {
            var request = await ConnectProtocol.ReadEnvelopeAsync(context.Request, context.RequestAborted);
            await call(context, request);
            await ConnectProtocol.EndStreamAsync(context.Response, null);
        }
        catch (ConnectException ex)
        {
            await ConnectProtocol.EndStreamAsync(context.Response, ex);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; the process (if any) keeps running.
        }
    }

    private async Task StartAsync(HttpContext context, JsonObject request)
    {
        var config = request["process"] as JsonObject ?? throw Invalid("'process' is required");
        var command = Text(config, "cmd") ?? throw Invalid("'process.cmd' is required");
        var user = SandboxUser.FromRequest(context.Request, state);
        var terminalSize = request["pty"] is JsonObject pty ? TerminalSize(pty) : default((ushort, ushort)?);
        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardInput = terminalSize is null,
            RedirectStandardOutput = terminalSize is null,
            RedirectStandardError = terminalSize is null,
            WorkingDirectory = user.Resolve(Text(config, "cwd")),
        };

        var argv = new List<string> { command };
        argv.AddRange((config["args"] as JsonArray ?? []).Select(a => a?.GetValue<string>() ?? string.Empty));

        Pseudoterminal? terminal = null;
        if (terminalSize is { } size)
        {
            terminal = Pseudoterminal.Open(size.Item1, size.Item2, user.Uid);
            // The shell (not yet a session leader) opens the terminal as stdio; setsid then makes the process
            // a session leader with that terminal as its controlling one, keeping the pid, so job control,
            // Ctrl-C and resizes reach it as in a login.
            argv.InsertRange(0, ["/bin/sh", "-c", "exec /usr/bin/setsid --ctty \"$@\" <>\"$0\" >&0 2>&0", terminal.SlavePath]);
        }

        info.FileName = argv[0];
        foreach (var arg in argv.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        user.Apply(info, state.EnvVars);
        foreach (var (key, value) in config["envs"] as JsonObject ?? [])
        {
            info.Environment[key] = value?.GetValue<string>() ?? string.Empty;
        }

        if (terminal is not null && !info.Environment.ContainsKey("TERM"))
        {
            info.Environment["TERM"] = "xterm-256color";
        }

        System.Diagnostics.Process process;
        try
        {
            if (!Directory.Exists(info.WorkingDirectory))
            {
                throw Invalid($"cwd '{info.WorkingDirectory}' does not exist");
            }

            process = await ProcessLauncher.StartAsync(info);
        }
        catch (Exception ex) when (ex is Win32Exception or ConnectException or InvalidOperationException)
        {
            AgentLog.Warn("Process failed to start", ("cmd", CommandLine(argv, terminal)), ("user", info.UserName), ("error", ex.Message));
            terminal?.Dispose();
            throw ex as ConnectException ?? Invalid($"could not start '{command}': {ex.Message}");
        }

        var managed = new ManagedProcess(process, config, Text(request, "tag"), terminal);
        AgentLog.Info(
            "Process started",
            ("pid", managed.Pid.ToString(CultureInfo.InvariantCulture)),
            ("cmd", CommandLine(argv, terminal)),
            ("user", info.UserName),
            ("cwd", info.WorkingDirectory),
            ("tag", managed.Tag),
            ("pty", terminal is null ? null : "true"));
        _processes[managed.Pid] = managed;
        var events = managed.Watch();
        managed.Run(Forget);

        // The caller's deadline bounds the process's life whether or not the caller is still there.
        if (ConnectStream.Remaining(context) is { } deadline)
        {
            managed.EndAt(deadline, Forget);
        }

        if (terminal is null && request["stdin"] is JsonValue stdin && !stdin.GetValue<bool>())
        {
            await managed.CloseStdinAsync();
        }

        await WatchAsync(context, managed, events, killOnDeadline: true);
    }

    // The command as the caller gave it: without the wrapper that gives a terminal process its session.
    private static string CommandLine(List<string> argv, Pseudoterminal? terminal) =>
        string.Join(' ', terminal is null ? argv : argv.Skip(4));

    private async Task ConnectAsync(HttpContext context, JsonObject request)
    {
        var managed = Select(request);
        await WatchAsync(context, managed, managed.Watch(), killOnDeadline: false);
    }

    // Streams start, data and end events, with keepalives while quiet. When the caller's deadline
    // (Connect-Timeout-Ms) passes, the caller hears deadline_exceeded at once, as from envd, with the process it
    // started already off the list and being killed; should the process's own timer act first, the caller still
    // gets deadline_exceeded, never the killed process's end event.
    private async Task WatchAsync(HttpContext context, ManagedProcess managed, System.Threading.Channels.ChannelReader<JsonObject> events, bool killOnDeadline)
    {
        try
        {
            await ConnectProtocol.WriteEnvelopeAsync(context.Response, Event(new JsonObject { ["start"] = new JsonObject { ["pid"] = managed.Pid } }), context.RequestAborted);
            await ConnectStream.PumpAsync(
                context,
                events,
                // Events are shared by every watcher of the process: each stream wraps its own copy.
                next => Event((JsonObject)next.DeepClone()),
                () => Event(new JsonObject { ["keepalive"] = new JsonObject() }),
                killOnDeadline ? () => managed.ExceedDeadline(Forget) : null,
                killOnDeadline ? message => message.ContainsKey("end") && managed.EndedByDeadline : null);
        }
        catch (OperationCanceledException) when (killOnDeadline && context.RequestAborted.IsCancellationRequested
            && ConnectStream.Remaining(context) is { } left && left <= s_callerClockLead)
        {
            // The caller's clock started before ours (it counted the trip here): one that leaves just before our
            // deadline is leaving for its own, and may list processes at once; the process is then already gone.
            managed.ExceedDeadline(Forget);
            throw;
        }
        finally
        {
            managed.Unwatch(events);
        }
    }

    private void Forget(ManagedProcess process) => _processes.TryRemove(process.Pid, out _);

    /// <summary>Whether a process it started is still tracked (running, or its end not yet told).</summary>
    public bool HasProcesses => !_processes.IsEmpty;

    private JsonObject List()
    {
        var list = new JsonArray();
        foreach (var process in _processes.Values.OrderBy(p => p.Pid))
        {
            var info = new JsonObject { ["config"] = process.Config.DeepClone(), ["pid"] = process.Pid };
            if (process.Tag is not null)
            {
                info["tag"] = process.Tag;
            }

            list.Add((JsonNode)info);
        }

        return new JsonObject { ["processes"] = list };
    }

    private async Task<JsonNode> SendInputAsync(JsonObject request)
    {
        var managed = Select(request);
        var input = request["input"] as JsonObject ?? throw Invalid("'input' is required");
        var data = Text(input, "stdin") ?? Text(input, "pty") ?? string.Empty;
        try
        {
            await managed.WriteInputAsync(Convert.FromBase64String(data));
        }
        catch (FormatException)
        {
            throw Invalid("'input' must be base64");
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException)
        {
            throw new ConnectException(ConnectCode.Internal, $"stdin of process {managed.Pid} is closed");
        }

        return new JsonObject();
    }

    private async Task<JsonNode> SendSignalAsync(JsonObject request)
    {
        var managed = Select(request);
        var signal = request["signal"] switch
        {
            JsonValue v when v.TryGetValue<int>(out var number) => number,
            JsonValue v when v.TryGetValue<string>(out var name) => name switch
            {
                "SIGNAL_SIGKILL" => Native.SigKill,
                "SIGNAL_SIGTERM" => Native.SigTerm,
                _ => 0,
            },
            _ => 0,
        };
        if (signal is not (Native.SigKill or Native.SigTerm))
        {
            throw Invalid("'signal' must be SIGNAL_SIGKILL or SIGNAL_SIGTERM");
        }

        managed.Signal(signal);
        if (signal == Native.SigKill)
        {
            // A killed process is gone when the answer comes: not in the list, its end event out (a tree that
            // will not die is not waited for past a moment; it is still listed then, as it still runs).
            try
            {
                await managed.Completion.WaitAsync(s_killSettles);
            }
            catch (TimeoutException)
            {
            }
        }

        return new JsonObject();
    }

    private async Task<JsonNode> CloseStdinAsync(JsonObject request)
    {
        var managed = Select(request);
        if (managed.Terminal is not null)
        {
            throw new ConnectException(ConnectCode.FailedPrecondition, $"process {managed.Pid} runs in a terminal: send it Ctrl-D instead of closing stdin");
        }

        await managed.CloseStdinAsync();
        return new JsonObject();
    }

    private Task<JsonNode> UpdateAsync(JsonObject request)
    {
        var managed = Select(request);
        if (request["pty"] is JsonObject pty)
        {
            var terminal = managed.Terminal ?? throw new ConnectException(ConnectCode.FailedPrecondition, $"process {managed.Pid} was not started with a terminal");
            var (cols, rows) = TerminalSize(pty);
            terminal.Resize(cols, rows);
        }

        return Task.FromResult<JsonNode>(new JsonObject());
    }

    private static (ushort Cols, ushort Rows) TerminalSize(JsonObject pty)
    {
        var size = pty["size"] as JsonObject;
        var cols = size?["cols"] is JsonValue c && c.TryGetValue<int>(out var cv) ? cv : 80;
        var rows = size?["rows"] is JsonValue r && r.TryGetValue<int>(out var rv) ? rv : 24;
        if (cols is < 1 or > ushort.MaxValue || rows is < 1 or > ushort.MaxValue)
        {
            throw Invalid($"terminal size {cols}x{rows} is out of range");
        }

        return ((ushort)cols, (ushort)rows);
    }

    private ManagedProcess Select(JsonObject request)
    {
        var selector = request["process"] as JsonObject ?? throw Invalid("'process' is required");
        if (selector["pid"] is JsonValue pidValue)
        {
            var pid = pidValue.TryGetValue<int>(out var n) ? n : int.Parse(pidValue.GetValue<string>(), CultureInfo.InvariantCulture);
            return _processes.TryGetValue(pid, out var byPid) ? byPid : throw new ConnectException(ConnectCode.NotFound, $"process with pid {pid} not found");
        }

        if (Text(selector, "tag") is { } tag)
        {
            return _processes.Values.FirstOrDefault(p => p.Tag == tag) ?? throw new ConnectException(ConnectCode.NotFound, $"process with tag {tag} not found");
        }

        throw Invalid("'process' must select a pid or a tag");
    }

    private static JsonObject Event(JsonObject payload) => new() { ["event"] = payload };

    private static string? Text(JsonObject node, string name) =>
        node[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static ConnectException Invalid(string message) => new(ConnectCode.InvalidArgument, message);
}
