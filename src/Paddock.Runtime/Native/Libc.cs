using System.Runtime.InteropServices;

namespace Paddock.Runtime.Native;

/// <summary>The few Linux calls the runtime makes directly, where spawning a tool would cost milliseconds.</summary>
internal static partial class Libc
{
    public const int AtFdCwd = -100;
    public const uint AtEmptyPath = 0x1000;
    public const uint AtRecursive = 0x8000;
    public const uint OpenTreeClone = 1;
    public const uint OCloexec = 0x80000;
    public const uint MoveMountFEmptyPath = 0x4;
    public const ulong MountAttrReadOnly = 0x1;
    public const ulong MountAttrIdmap = 0x100000;
    public const int MntDetach = 2;
    public const int RlimitNofile = 7;
    public const int Einval = 22;
    public const int Enoent = 2;
    public const int Eintr = 4;
    public const int Eexist = 17;
    public const int Enodev = 19;
    public const int ORdOnly = 0;
    public const int OWrOnly = 1;
    public const int OCreat = 0x40;
    public const int OAppend = 0x400;
    public const int ODirectory = 0x10000;
    public const int ONoFollow = 0x20000;
    public const int OCloexecFlag = 0x80000;
    public const int FDupFdCloexec = 1030;
    public const int SigKill = 9;
    public const int CloneNewNs = 0x20000;
    public const ulong MsNosuid = 0x2;
    public const ulong MsNodev = 0x4;
    public const ulong MsNoexec = 0x8;
    public const ulong MsRec = 0x4000;
    public const ulong MsPrivate = 1 << 18;

    // x86_64 syscall numbers of the new mount API (not wrapped by glibc 2.36).
    private const long SysOpenTree = 428;
    private const long SysMoveMount = 429;
    private const long SysMountSetattr = 442;

    [StructLayout(LayoutKind.Sequential)]
    public struct MountAttr
    {
        public ulong AttrSet;
        public ulong AttrClr;
        public ulong Propagation;
        public ulong UsernsFd;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct RLimit
    {
        public ulong Current;
        public ulong Max;
    }

    [LibraryImport("libc", EntryPoint = "mount", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Mount(string source, string target, string? fileSystemType, ulong flags, string? data);

    [LibraryImport("libc", EntryPoint = "unshare", SetLastError = true)]
    public static partial int Unshare(int flags);

    [LibraryImport("libc", EntryPoint = "umount2", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Umount2(string target, int flags);

    [LibraryImport("libc", EntryPoint = "chown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Chown(string path, uint owner, uint group);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    public static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "getrlimit", SetLastError = true)]
    public static partial int GetRLimit(int resource, out RLimit limit);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "fstatfs", SetLastError = true)]
    private static unsafe partial int FStatFs(int fd, byte* buffer);

    /// <summary>The magic number of the filesystem an open descriptor is on (<c>statfs.f_type</c>).</summary>
    public static unsafe long FileSystemType(System.Runtime.InteropServices.SafeHandle handle)
    {
        var buffer = stackalloc byte[256];
        if (FStatFs((int)handle.DangerousGetHandle(), buffer) != 0)
        {
            throw Error("fstatfs");
        }

        return *(long*)buffer;
    }

    [LibraryImport("libc", EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int LStat(string path, byte* buffer);

    /// <summary>The uid that owns <paramref name="path"/> (not following a symlink).</summary>
    public static unsafe uint OwnerOf(string path)
    {
        // struct stat on x86_64: st_dev (8), st_ino (8), st_nlink (8), st_mode (4), st_uid (4), …
        var buffer = stackalloc byte[256];
        return LStat(path, buffer) == 0 ? *(uint*)(buffer + 28) : throw Error($"lstat({path})");
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, uint mode);

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    public static partial int Fcntl(int fd, int command, int argument);

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    public static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
    public static partial int WaitPid(int pid, out int status, int options);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall3(long number, int dfd, string path, uint flags);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall5(long number, int dfd, string path, uint flags, ref MountAttr attr, nuint size);

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial long Syscall5(long number, int fromDfd, string fromPath, int toDfd, string toPath, uint flags);

    public static int OpenTree(int dfd, string path, uint flags) => (int)Syscall3(SysOpenTree, dfd, path, flags);

    public static int MountSetattr(int dfd, string path, uint flags, ref MountAttr attr) =>
        (int)Syscall5(SysMountSetattr, dfd, path, flags, ref attr, (nuint)Marshal.SizeOf<MountAttr>());

    public static int MoveMount(int fromDfd, string fromPath, int toDfd, string toPath, uint flags) =>
        (int)Syscall5(SysMoveMount, fromDfd, fromPath, toDfd, toPath, flags);

    public static IOException Error(string what) =>
        new($"{what}: {Marshal.GetLastPInvokeErrorMessage()} (errno {Marshal.GetLastPInvokeError()})");
}
