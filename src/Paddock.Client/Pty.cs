using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>Interactive terminals in the sandbox: a login bash in a pseudoterminal.</summary>
public class Pty
{
    private readonly Commands _commands;

    internal Pty(Commands commands) => _commands = commands;

    /// <summary>For test doubles (mocking libraries), which override the members they use.</summary>
    protected Pty() => _commands = null!;

    /// <summary>
    /// Starts <c>bash -i -l</c> in a terminal of <paramref name="cols"/> × <paramref name="rows"/>; its output
    /// (escape sequences included) goes to <paramref name="onData"/> as it comes. <c>TERM</c> defaults to
    /// <c>xterm-256color</c> and the locale to <c>C.UTF-8</c>, as in E2B's SDKs.
    /// </summary>
    public virtual Task<CommandHandle> CreateAsync(int cols, int rows, Action<byte[]> onData, CommandOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CommandOptions { Timeout = TimeSpan.Zero };
        var envs = new Dictionary<string, string>(options.Envs ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        envs.TryAdd("TERM", "xterm-256color");
        envs.TryAdd("LANG", "C.UTF-8");
        envs.TryAdd("LC_ALL", "C.UTF-8");
        var size = new JsonObject { ["size"] = new JsonObject { ["cols"] = cols, ["rows"] = rows } };
        return _commands.StartProcessAsync(new JsonArray("-i", "-l"), options with { Envs = envs, OnPtyData = onData }, size, cancellationToken);
    }

    /// <summary>Types into the terminal (keys as bytes: <c>\u0003</c> is Ctrl-C).</summary>
    public virtual Task SendInputAsync(int pid, byte[] data, CancellationToken cancellationToken = default) =>
        _commands.SendInputAsync(pid, "pty", data, cancellationToken);

    /// <summary>Resizes the terminal (the shell gets SIGWINCH).</summary>
    public virtual Task ResizeAsync(int pid, int cols, int rows, CancellationToken cancellationToken = default) =>
        _commands.ResizeAsync(pid, cols, rows, cancellationToken);

    /// <summary>Kills the terminal's shell: true, or false when it had already ended.</summary>
    public virtual Task<bool> KillAsync(int pid, CancellationToken cancellationToken = default) => _commands.KillAsync(pid, cancellationToken);
}
