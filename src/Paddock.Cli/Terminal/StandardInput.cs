using System.Runtime.InteropServices;

namespace Paddock.Cli.Terminal;

/// <summary>
/// Reads this process's stdin (a terminal, a pipe or a file) in a way that can be given up: a read of .NET's
/// console stream blocks in read(2) and ignores its token, so a command that has ended would still wait for
/// input that may never come. Here the wait is poll(2) in short steps that check the token.
/// </summary>
internal static class StandardInput
{
    private const int PollStepMs = 100;

    /// <summary>Bytes read into <paramref name="buffer"/>; 0 at end of input (end of file, or the terminal hung up).</summary>
    public static async Task<int> ReadAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var events = await Task.Run(
                () =>
                {
                    short ready;
                    while ((ready = Posix.Poll(Posix.StdinFd, PollStepMs)) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }

                    return ready;
                },
                cancellationToken);
            if ((events & Posix.PollIn) == 0)
            {
                return 0;
            }

            var read = Posix.Read(Posix.StdinFd, buffer);
            if (read >= 0)
            {
                return read;
            }

            if (Marshal.GetLastPInvokeError() is not (Posix.Eintr or Posix.Eagain))
            {
                return 0;
            }
        }
    }
}
