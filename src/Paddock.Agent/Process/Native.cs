using System.Runtime.InteropServices;

namespace Paddock.Agent.Process;

internal static partial class Native
{
    public const int SigKill = 9;
    public const int SigTerm = 15;

    public const int ORdWr = 0x2;
    public const int ONoCtty = 0x100;
    public const int OCloExec = 0x80000;
    public const int EIntr = 4;
    public const ulong TiocSWinSz = 0x5414;
    public const int TtyGroup = 5;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    /// <summary>The size of the regular file open as <paramref name="fd"/>; null for anything else (a pipe, a terminal).</summary>
    public static unsafe long? RegularFileSize(int fd)
    {
        // struct stat on x86_64: st_mode at 24, st_size at 48.
        const uint TypeMask = 0xF000;
        const uint RegularFile = 0x8000;
        var buffer = stackalloc byte[256];
        return FStat(fd, buffer) == 0 && (*(uint*)(buffer + 24) & TypeMask) == RegularFile ? *(long*)(buffer + 48) : null;
    }

    /// <summary>Empties the file open as <paramref name="fd"/>; appends then start again at its beginning.</summary>
    public static bool Truncate(int fd) => FTruncate(fd, 0) == 0;

    [LibraryImport("libc", EntryPoint = "fstat", SetLastError = true)]
    private static unsafe partial int FStat(int fd, byte* buffer);

    [LibraryImport("libc", EntryPoint = "ftruncate", SetLastError = true)]
    private static partial int FTruncate(int fd, long length);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);

    /// <summary>
    /// Marks a descriptor close-on-exec, so no process the agent starts inherits it (or clears the mark, for the one exec
    /// that must keep it: the agent's own, into sleep).
    /// </summary>
    public static void SetCloseOnExec(int fd, bool on = true)
    {
        const int FGetFd = 1;
        const int FSetFd = 2;
        const int FdCloexec = 1;
        var flags = Fcntl(fd, FGetFd, 0);
        if (flags < 0 || Fcntl(fd, FSetFd, on ? flags | FdCloexec : flags & ~FdCloexec) != 0)
        {
            throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), $"fcntl({fd}, F_SETFD)");
        }
    }

    /// <summary>A second descriptor for what <paramref name="fd"/> refers to, close-on-exec.</summary>
    public static int Duplicate(int fd)
    {
        const int FDupFdCloexec = 1030;
        var copy = Fcntl(fd, FDupFdCloexec, 0);
        return copy >= 0 ? copy : throw new System.ComponentModel.Win32Exception(Marshal.GetLastPInvokeError(), $"fcntl({fd}, F_DUPFD_CLOEXEC)");
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "posix_openpt", SetLastError = true)]
    public static partial int PosixOpenPt(int flags);

    [LibraryImport("libc", EntryPoint = "grantpt", SetLastError = true)]
    public static partial int GrantPt(int fd);

    [LibraryImport("libc", EntryPoint = "unlockpt", SetLastError = true)]
    public static partial int UnlockPt(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, int owner, int group);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int IoctlWinSize(int fd, ulong request, ref WinSize size);

    public static unsafe string PtsName(int fd)
    {
        var buffer = stackalloc byte[128];
        var error = PtsNameR(fd, buffer, 128);
        return error == 0
            ? Marshal.PtrToStringUTF8((nint)buffer)!
            : throw new System.ComponentModel.Win32Exception(error, "ptsname_r failed");
    }

    /// <summary>Writes all of <paramref name="data"/>; false at the first write that fails or writes nothing.</summary>
    public static bool WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            var written = Write(fd, data);
            if (written <= 0)
            {
                return false;
            }

            data = data[(int)written..];
        }

        return true;
    }

    public static unsafe nint Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            return ReadRaw(fd, p, buffer.Length);
        }
    }

    public static unsafe nint Write(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            return WriteRaw(fd, p, data.Length);
        }
    }

    /// <summary>poll(2) for input on one descriptor: 1 readable (or hung up), 0 timed out, -1 error.</summary>
    public static int PollIn(int fd, int timeoutMilliseconds) => PollIn([fd], timeoutMilliseconds);

    /// <summary>poll(2) for input on descriptors: how many are readable (or hung up), 0 timed out or interrupted, -1 error.</summary>
    public static unsafe int PollIn(ReadOnlySpan<int> fds, int timeoutMilliseconds)
    {
        var polls = stackalloc PollFd[fds.Length];
        for (var i = 0; i < fds.Length; i++)
        {
            polls[i] = new PollFd { Fd = fds[i], Events = PollInFlag };
        }

        var result = Poll(polls, (nuint)fds.Length, timeoutMilliseconds);
        return result < 0 && Marshal.GetLastPInvokeError() == EIntr ? 0 : result;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixel;
        public ushort YPixel;
    }

    private const short PollInFlag = 0x1;

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [LibraryImport("libc", EntryPoint = "ptsname_r")]
    private static unsafe partial int PtsNameR(int fd, byte* buffer, nuint length);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static unsafe partial nint ReadRaw(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static unsafe partial nint WriteRaw(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "poll", SetLastError = true)]
    private static unsafe partial int Poll(PollFd* fds, nuint count, int timeout);
}
