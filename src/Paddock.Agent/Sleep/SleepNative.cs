using System.Runtime.InteropServices;

namespace Paddock.Agent.Sleep;

/// <summary>The system calls of falling asleep and waking: what the framework has no API for.</summary>
internal static partial class SleepNative
{
    private const int SigChld = 17;
    private const int WNoHang = 1;
    private static readonly nint s_ignore = 1;

    /// <summary>A descriptor onto a copy of <paramref name="content"/> in memory, read from its start.</summary>
    public static int MemoryFile(string name, ReadOnlySpan<byte> content)
    {
        var fd = MemfdCreate(name, 0);
        if (fd < 0)
        {
            throw Error("memfd_create");
        }

        if (!Process.Native.WriteAll(fd, content))
        {
            Process.Native.Close(fd);
            throw Error("writing the agent's state");
        }

        if (LSeek(fd, 0, 0) != 0)
        {
            Process.Native.Close(fd);
            throw Error("lseek");
        }

        return fd;
    }

    /// <summary>
    /// Names this process as its first start was named: an image started from <c>/proc/self/exe</c> is called "exe"
    /// in <c>ps</c> and <c>/proc</c> otherwise.
    /// </summary>
    public static void KeepName()
    {
        const int PrSetName = 15;
        _ = PrCtl(PrSetName, "paddock-agent\0"u8.ToArray(), 0, 0, 0);
    }

    /// <summary>Replaces this process's image with the agent's own binary; returns only if that failed.</summary>
    public static Exception ExecSelf(string[] args)
    {
        var argv = new string?[args.Length + 2];
        argv[0] = "paddock-agent";
        args.CopyTo(argv, 1);
        ExecV("/proc/self/exe", argv);
        return Error("execv /proc/self/exe");
    }

    /// <summary>
    /// Lets the kernel reap every child of this process (SIGCHLD ignored) and collects those that ended before:
    /// asleep, the agent is pid 1 of the sandbox, and orphans reparented to it must not stay zombies.
    /// </summary>
    public static void ReapChildrenAutomatically()
    {
        Signal(SigChld, s_ignore);
        while (WaitPid(-1, 0, WNoHang) > 0)
        {
        }
    }

    /// <summary>
    /// Gives SIGCHLD back its default action before the full agent starts: the framework catches it only when it was
    /// not ignored at start, and without it never learns that a process it started ended.
    /// </summary>
    public static void DefaultChildSignal() => Signal(SigChld, 0);

    /// <summary>Waits until one of <paramref name="fds"/> has input (a connection to accept).</summary>
    public static void WaitForInput(ReadOnlySpan<int> fds)
    {
        int ready;
        while ((ready = Process.Native.PollIn(fds, -1)) == 0)
        {
        }

        if (ready < 0)
        {
            throw Error("poll");
        }
    }

    private static System.ComponentModel.Win32Exception Error(string what) =>
        new(Marshal.GetLastPInvokeError(), what);

    [LibraryImport("libc", EntryPoint = "prctl", SetLastError = true)]
    private static partial int PrCtl(int option, byte[] name, nint arg3, nint arg4, nint arg5);

    [LibraryImport("libc", EntryPoint = "memfd_create", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int MemfdCreate(string name, uint flags);

    [LibraryImport("libc", EntryPoint = "lseek", SetLastError = true)]
    private static partial long LSeek(int fd, long offset, int whence);

    [LibraryImport("libc", EntryPoint = "execv", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ExecV(string path, string?[] argv);

    [LibraryImport("libc", EntryPoint = "signal", SetLastError = true)]
    private static partial nint Signal(int signal, nint handler);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    private static partial int WaitPid(int pid, nint status, int options);
}
