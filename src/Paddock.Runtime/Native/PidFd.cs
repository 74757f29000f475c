using System.Runtime.InteropServices;

namespace Paddock.Runtime.Native;

/// <summary>Process descriptors and epoll: a way to learn that a process ended without polling for it.</summary>
internal static unsafe partial class PidFd
{
    public const uint EpollIn = 0x001;

    private const long SysPidFdOpen = 434;
    private const int EpollCtlAdd = 1;
    private const int EpollCtlDel = 2;
    private const int EpollCloexec = 0x80000;

    /// <summary>epoll_event, packed as the kernel defines it on x86_64.</summary>
    [StructLayout(LayoutKind.Sequential, Pack = 4)]
    public struct EpollEvent
    {
        public uint Events;
        public ulong Data;
    }

    /// <summary>A descriptor that becomes readable when process <paramref name="pid"/> ends; -1 if it is gone already.</summary>
    public static int Open(int pid) => (int)Syscall(SysPidFdOpen, pid, 0);

    public static int CreateEpoll()
    {
        var fd = EpollCreate1(EpollCloexec);
        return fd >= 0 ? fd : throw Libc.Error("epoll_create1");
    }

    public static void Add(int epoll, int fd, ulong data)
    {
        var e = new EpollEvent { Events = EpollIn, Data = data };
        if (EpollCtl(epoll, EpollCtlAdd, fd, &e) != 0)
        {
            throw Libc.Error("epoll_ctl(ADD)");
        }
    }

    public static void Remove(int epoll, int fd) => EpollCtl(epoll, EpollCtlDel, fd, null);

    /// <summary>Waits for events; returns how many were written, or -1 (errno set) on failure.</summary>
    public static int Wait(int epoll, Span<EpollEvent> events, int timeoutMs)
    {
        fixed (EpollEvent* p = events)
        {
            return EpollWait(epoll, p, events.Length, timeoutMs);
        }
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static partial long Syscall(long number, int pid, uint flags);

    [LibraryImport("libc", EntryPoint = "epoll_create1", SetLastError = true)]
    private static partial int EpollCreate1(int flags);

    [LibraryImport("libc", EntryPoint = "epoll_ctl", SetLastError = true)]
    private static partial int EpollCtl(int epoll, int op, int fd, EpollEvent* ev);

    [LibraryImport("libc", EntryPoint = "epoll_wait", SetLastError = true)]
    private static partial int EpollWait(int epoll, EpollEvent* events, int max, int timeout);
}
