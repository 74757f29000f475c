using System.Runtime.InteropServices;

namespace Paddock.Cli.Terminal;

/// <summary>
/// The few libc calls the interactive shell needs. .NET's Console cannot be used for them: it reads a terminal
/// line by line with its own echo and keeps ISIG on, and it sets the terminal modes it likes whenever it reads.
/// </summary>
internal static partial class Posix
{
    public const int StdinFd = 0;
    public const int StdoutFd = 1;

    /// <summary>Larger than <c>struct termios</c> on Linux (60 bytes) and macOS (72): it is only passed back to libc.</summary>
    public const int TermiosSize = 256;

    // errno values as Linux numbers them; elsewhere a read that fails just ends the input.
    public const int Eintr = 4;
    public const int Eagain = 11;

    public const short PollIn = 0x1;
    public const short PollErr = 0x8;

    // TCSADRAIN: output already written is sent with the old modes, as ssh does.
    private const int TcsaDrain = 1;

    // Linux's TIOCGWINSZ (x64 and arm64 alike).
    private const nuint Tiocgwinsz = 0x5413;

    public static bool IsTerminal(int fd) => IsAtty(fd) == 1;

    public static byte[]? GetAttributes(int fd)
    {
        var termios = new byte[TermiosSize];
        return TcGetAttr(fd, termios) == 0 ? termios : null;
    }

    public static bool SetAttributes(int fd, byte[] termios) => TcSetAttr(fd, TcsaDrain, termios) == 0;

    /// <summary>The terminal's size, or null when <paramref name="fd"/> is not a terminal (or this is not Linux).</summary>
    public static (int Cols, int Rows)? WindowSize(int fd)
    {
        // ioctl is variadic: a fixed-argument call is only safe where variadic arguments travel like the
        // others, as on Linux; elsewhere the caller falls back to Console.
        var size = new ushort[4];
        return OperatingSystem.IsLinux() && Ioctl(fd, Tiocgwinsz, size) == 0 && size[0] > 0 && size[1] > 0 ? (size[1], size[0]) : null;
    }

    /// <summary>Waits up to <paramref name="timeoutMs"/> for <paramref name="fd"/> to be readable; returns poll's revents (0 on timeout).</summary>
    public static short Poll(int fd, int timeoutMs)
    {
        var pollfd = new PollFd { Fd = fd, Events = PollIn };
        while (true)
        {
            var ready = PollNative(ref pollfd, 1, timeoutMs);
            if (ready >= 0)
            {
                return ready == 0 ? (short)0 : pollfd.Revents;
            }

            if (Marshal.GetLastPInvokeError() != Eintr)
            {
                return PollErr;
            }
        }
    }

    /// <summary>read(2): the byte count, 0 at end of file, -1 on error (<see cref="Marshal.GetLastPInvokeError"/>).</summary>
    public static int Read(int fd, byte[] buffer) => (int)ReadNative(fd, buffer, (nuint)buffer.Length);

    /// <summary>Writes all of <paramref name="data"/>, retrying short and interrupted writes.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var written = (int)WriteNative(fd, data, (nuint)data.Length);
            if (written < 0)
            {
                var errno = Marshal.GetLastPInvokeError();
                if (errno is Eintr or Eagain)
                {
                    continue;
                }

                throw new IOException($"write to the terminal failed: errno {errno}");
            }

            data = data[written..];
        }
    }

    [LibraryImport("libc", EntryPoint = "cfmakeraw")]
    public static partial void MakeRaw(byte[] termios);

    [LibraryImport("libc", EntryPoint = "isatty")]
    private static partial int IsAtty(int fd);

    [LibraryImport("libc", EntryPoint = "tcgetattr", SetLastError = true)]
    private static partial int TcGetAttr(int fd, byte[] termios);

    [LibraryImport("libc", EntryPoint = "tcsetattr", SetLastError = true)]
    private static partial int TcSetAttr(int fd, int optionalActions, byte[] termios);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, ushort[] winsize);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static partial int PollNative(ref PollFd fds, nuint count, int timeoutMs);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint ReadNative(int fd, byte[] buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint WriteNative(int fd, ReadOnlySpan<byte> buffer, nuint count);

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }
}
