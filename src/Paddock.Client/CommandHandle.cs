using System.Text;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>A command running in the sandbox: wait for it, or kill it.</summary>
public sealed class CommandHandle
{
    private readonly Commands _commands;
    private readonly IAsyncEnumerator<JsonObject> _events;
    private readonly CommandOptions _options;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly Task<CommandResult> _completion;

    internal CommandHandle(Commands commands, int pid, IAsyncEnumerator<JsonObject> events, CommandOptions options)
    {
        _commands = commands;
        Pid = pid;
        _events = events;
        _options = options;
        _completion = PumpAsync();
    }

    /// <summary>The command's process id in the sandbox.</summary>
    public int Pid { get; }

    /// <summary>Stdout so far.</summary>
    public string Stdout
    {
        get
        {
            lock (_stdout)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Stderr so far.</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Waits for the command to end; throws <see cref="CommandExitException"/> for a non-zero exit code.</summary>
    public async Task<CommandResult> WaitAsync(CancellationToken cancellationToken = default)
    {
        var result = await _completion.WaitAsync(cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0 ? result : throw new CommandExitException(result);
    }

    /// <summary>Kills the command (SIGKILL): true, or false when it had already ended.</summary>
    public Task<bool> KillAsync(CancellationToken cancellationToken = default) => _commands.KillAsync(Pid, cancellationToken);

    private async Task<CommandResult> PumpAsync()
    {
        await using (_events.ConfigureAwait(false))
        {
            try
            {
                while (await _events.MoveNextAsync().ConfigureAwait(false))
                {
                    var e = _events.Current["event"];
                    if (e?["data"] is JsonObject data)
                    {
                        Append(data, "stdout", _stdout, _options.OnStdout);
                        Append(data, "stderr", _stderr, _options.OnStderr);
                        if (data["pty"]?.GetValue<string>() is { } terminal)
                        {
                            _options.OnPtyData?.Invoke(Convert.FromBase64String(terminal));
                        }
                    }
                    else if (e?["end"] is JsonObject end)
                    {
                        return new CommandResult(end["exitCode"]?.GetValue<int>() ?? 0, Stdout, Stderr, end["error"]?.GetValue<string>());
                    }
                }
            }
            catch (SandboxTimeoutException ex) when (ex.StatusCode == 504)
            {
                throw new SandboxTimeoutException($"command {Pid} ran longer than its {_options.Timeout.TotalSeconds:0} s timeout and was killed", ex);
            }
        }

        throw new SandboxException($"the stream of command {Pid} ended without its end event");
    }

    private static void Append(JsonObject data, string name, StringBuilder buffer, Action<string>? callback)
    {
        if (data[name]?.GetValue<string>() is not { } base64)
        {
            return;
        }

        var text = Encoding.UTF8.GetString(Convert.FromBase64String(base64));
        lock (buffer)
        {
            buffer.Append(text);
        }

        callback?.Invoke(text);
    }
}
