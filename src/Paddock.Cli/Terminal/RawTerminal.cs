namespace Paddock.Cli.Terminal;

/// <summary>
/// The local terminal in raw mode, as ssh puts it: no echo, no line editing, no signals from keys, so every
/// byte (Ctrl-C, Ctrl-D, Ctrl-Z, arrows, Tab) reaches the remote terminal, which echoes and edits itself.
/// <see cref="Restore"/> puts the saved modes back; it is idempotent and safe from any thread, so the
/// session's end, a signal handler and process exit can all call it.
/// </summary>
internal sealed class RawTerminal : IDisposable
{
    private readonly byte[] _saved;
    private int _restored;

    private RawTerminal(byte[] saved) => _saved = saved;

    /// <summary>Puts stdin's terminal in raw mode; null when stdin is not a terminal (piped input is passed as it is).</summary>
    public static RawTerminal? Enter()
    {
        if (!Posix.IsTerminal(Posix.StdinFd) || Posix.GetAttributes(Posix.StdinFd) is not { } saved)
        {
            return null;
        }

        var raw = (byte[])saved.Clone();
        Posix.MakeRaw(raw);
        if (!Posix.SetAttributes(Posix.StdinFd, raw))
        {
            return null;
        }

        var terminal = new RawTerminal(saved);

        // The last resort: whatever ends the process normally (an unhandled exception included) restores too.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => terminal.Restore();
        return terminal;
    }

    public void Restore()
    {
        if (Interlocked.Exchange(ref _restored, 1) == 0)
        {
            Posix.SetAttributes(Posix.StdinFd, _saved);
        }
    }

    public void Dispose() => Restore();
}
