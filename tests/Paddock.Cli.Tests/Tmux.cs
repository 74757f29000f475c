using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Cli.Tests;

/// <summary>
/// A detached tmux session of 120 × 40 running a script: a real terminal for the CLI, driven with
/// <c>send-keys</c> and read with <c>capture-pane</c>. tmux is required (scripts/prerequisites.sh installs it):
/// without it the tests fail, they do not skip.
/// </summary>
internal sealed class Tmux : IAsyncDisposable
{
    private readonly string _name;

    private Tmux(string name) => _name = name;

    public string Screen { get; private set; } = string.Empty;

    public static async Task<Tmux> StartAsync(string name, string script)
    {
        if (!File.Exists("/usr/bin/tmux"))
        {
            throw new InvalidOperationException("tmux is required for the interactive-shell tests: apt-get install tmux (scripts/prerequisites.sh does it)");
        }

        var file = Path.Combine(Path.GetTempPath(), $"{name}.sh");
        await File.WriteAllTextAsync(file, script);
        var (code, output) = await Host.RunAsync("tmux", "new-session", "-d", "-s", name, "-x", "120", "-y", "40", $"bash {file}");
        return code == 0 ? new Tmux(name) : throw new InvalidOperationException($"tmux new-session failed: {output}");
    }

    /// <summary>Keys as tmux names them: text, <c>Enter</c>, <c>C-c</c>, <c>C-d</c>, <c>Tab</c>.</summary>
    public async Task SendAsync(params string[] keys) => await Host.RunAsync("tmux", ["send-keys", "-t", _name, .. keys]);

    /// <summary>Resizes the terminal, as a user resizing the window (the program in it gets SIGWINCH).</summary>
    public async Task ResizeAsync(int cols, int rows) =>
        await Host.RunAsync("tmux", "resize-window", "-t", _name, "-x", $"{cols}", "-y", $"{rows}");

    /// <summary>Waits until the screen shows <paramref name="text"/>, and returns the screen.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan? within = null)
    {
        try
        {
            await Eventually.TrueAsync(
                async () =>
                {
                    Screen = (await Host.RunAsync("tmux", "capture-pane", "-p", "-t", _name)).Output;
                    return Screen.Contains(text, StringComparison.Ordinal);
                },
                $"'{text}' on the screen",
                within ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new Xunit.Sdk.XunitException($"{ex.Message}; the screen:\n{Screen}");
        }

        return Screen;
    }

    public async ValueTask DisposeAsync()
    {
        await Host.RunAsync("tmux", "kill-session", "-t", _name);
        File.Delete(Path.Combine(Path.GetTempPath(), $"{_name}.sh"));
    }
}
