using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>Commands in the sandbox (envd's <c>process.Process</c> service).</summary>
public class Commands
{
    private const string Service = "process.Process";
    private static readonly TimeSpan s_killOnCancel = TimeSpan.FromSeconds(5);
    private readonly EnvdTransport _transport;

    internal Commands(EnvdTransport transport) => _transport = transport;

    /// <summary>For test doubles (mocking libraries), which override the members they use.</summary>
    protected Commands() => _transport = null!;

    /// <summary>
    /// Runs <paramref name="command"/> with <c>bash -l -c</c> and waits for it; throws
    /// <see cref="CommandExitException"/> for a non-zero exit code.
    /// </summary>
    /// <param name="command">A bash command line.</param>
    /// <param name="options">Its environment, directory, user, timeout and output callbacks.</param>
    /// <param name="cancellationToken">Cancelling it kills the command in the sandbox, then throws <see cref="OperationCanceledException"/>.</param>
    /// <returns>What the command printed, and its exit code 0.</returns>
    /// <exception cref="CommandExitException">The command exited with another code.</exception>
    /// <exception cref="SandboxTimeoutException">The command's timeout passed (it was killed), or the sandbox's did.</exception>
    /// <exception cref="SandboxPausedException">The sandbox was paused before or while it ran.</exception>
    /// <exception cref="SandboxNotFoundException">The sandbox was killed before or while it ran.</exception>
    public virtual async Task<CommandResult> RunAsync(string command, CommandOptions? options = null, CancellationToken cancellationToken = default)
    {
        using var activity = ClientTelemetry.Source.StartActivity("paddock command run");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var result = await RunUntracedAsync(command, options, cancellationToken).ConfigureAwait(false);
            outcome = "ok";
            return result;
        }
        catch (Exception ex)
        {
            outcome = ex is CommandExitException ? "exit" : ex is OperationCanceledException ? "canceled" : "error";
            ClientTelemetry.Fail(activity, ex);
            throw;
        }
        finally
        {
            activity?.SetTag("paddock.outcome", outcome);
            ClientTelemetry.RunDuration.Record(
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                new KeyValuePair<string, object?>("kind", "command"),
                new KeyValuePair<string, object?>("outcome", outcome));
        }
    }

    private async Task<CommandResult> RunUntracedAsync(string command, CommandOptions? options, CancellationToken cancellationToken)
    {
        var handle = await StartAsync(command, options, cancellationToken).ConfigureAwait(false);
        try
        {
            return await handle.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Whoever cancels a run wants the command gone, not left running unseen in the sandbox.
            using var killing = new CancellationTokenSource(s_killOnCancel);
            try
            {
                await KillAsync(handle.Pid, killing.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is ISandboxError or OperationCanceledException)
            {
                // The sandbox is gone or unreachable: then so is the command.
            }

            throw;
        }
    }

    /// <summary>Starts <paramref name="command"/> in the background and returns once it runs.</summary>
    public virtual Task<CommandHandle> StartAsync(string command, CommandOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CommandOptions();
        return StartProcessAsync(new JsonArray("-l", "-c", command), options, null, cancellationToken);
    }

    // Process.Start of bash with the given arguments; with a terminal size, in a pseudoterminal.
    internal async Task<CommandHandle> StartProcessAsync(JsonArray bashArgs, CommandOptions options, JsonObject? pty, CancellationToken cancellationToken)
    {
        var process = new JsonObject
        {
            ["cmd"] = "/bin/bash",
            ["args"] = bashArgs,
            ["envs"] = JsonMaps.From(options.Envs),
        };
        if (options.Cwd is not null)
        {
            process["cwd"] = options.Cwd;
        }

        var request = new JsonObject { ["process"] = process };
        if (pty is not null)
        {
            request["pty"] = pty;
        }
        else
        {
            request["stdin"] = options.Stdin;
        }

        var deadline = options.Timeout > TimeSpan.Zero ? options.Timeout : (TimeSpan?)null;
        var events = _transport.StreamAsync(Service, "Start", request, options.User, deadline, CancellationToken.None).GetAsyncEnumerator(CancellationToken.None);
        if (!await events.MoveNextAsync().ConfigureAwait(false) || events.Current["event"]?["start"]?["pid"] is not JsonValue pid)
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw new SandboxException("expected the start event of the command");
        }

        return new CommandHandle(this, pid.GetValue<int>(), events, options);
    }

    /// <summary>Writes to a command's stdin (it must have been started with <see cref="CommandOptions.Stdin"/>).</summary>
    public virtual Task SendStdinAsync(int pid, string data, CancellationToken cancellationToken = default) =>
        SendInputAsync(pid, "stdin", Encoding.UTF8.GetBytes(data), cancellationToken);

    internal async Task SendInputAsync(int pid, string kind, byte[] data, CancellationToken cancellationToken) =>
        await _transport.UnaryAsync(Service, "SendInput", new JsonObject
        {
            ["process"] = new JsonObject { ["pid"] = pid },
            ["input"] = new JsonObject { [kind] = Convert.ToBase64String(data) },
        }, null, cancellationToken).ConfigureAwait(false);

    internal async Task ResizeAsync(int pid, int cols, int rows, CancellationToken cancellationToken) =>
        await _transport.UnaryAsync(Service, "Update", new JsonObject
        {
            ["process"] = new JsonObject { ["pid"] = pid },
            ["pty"] = new JsonObject { ["size"] = new JsonObject { ["cols"] = cols, ["rows"] = rows } },
        }, null, cancellationToken).ConfigureAwait(false);

    /// <summary>Kills a command (SIGKILL): true, or false when there is no such process.</summary>
    public virtual async Task<bool> KillAsync(int pid, CancellationToken cancellationToken = default)
    {
        try
        {
            await _transport.UnaryAsync(Service, "SendSignal", new JsonObject
            {
                ["process"] = new JsonObject { ["pid"] = pid },
                ["signal"] = "SIGNAL_SIGKILL",
            }, null, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (SandboxFileNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The commands running now: pid, command line and tag.</summary>
    public virtual async Task<IReadOnlyList<ProcessInfo>> ListAsync(CancellationToken cancellationToken = default)
    {
        var json = await _transport.UnaryAsync(Service, "List", [], null, cancellationToken).ConfigureAwait(false);
        return (json["processes"] as JsonArray ?? []).Select(p => new ProcessInfo(
            p!["pid"]!.GetValue<int>(),
            p["tag"]?.GetValue<string>(),
            p["config"]?["cmd"]?.GetValue<string>() ?? string.Empty,
            (p["config"]?["args"] as JsonArray ?? []).Select(a => a!.GetValue<string>()).ToList())).ToList();
    }

    /// <summary>Connects to a running command by pid, to wait for it or see its further output.</summary>
    public virtual async Task<CommandHandle> ConnectAsync(int pid, CommandOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new JsonObject { ["process"] = new JsonObject { ["pid"] = pid } };
        var events = _transport.StreamAsync(Service, "Connect", request, null, null, CancellationToken.None).GetAsyncEnumerator(CancellationToken.None);
        try
        {
            if (!await events.MoveNextAsync().ConfigureAwait(false))
            {
                throw new SandboxException($"no start event from process {pid}");
            }
        }
        catch
        {
            await events.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new CommandHandle(this, pid, events, options ?? new CommandOptions());
    }
}

/// <summary>A process running in the sandbox.</summary>
/// <param name="Pid">Its process id.</param>
/// <param name="Tag">Its tag, if it was given one.</param>
/// <param name="Cmd">The executable.</param>
/// <param name="Args">Its arguments.</param>
public sealed record ProcessInfo(int Pid, string? Tag, string Cmd, IReadOnlyList<string> Args);
