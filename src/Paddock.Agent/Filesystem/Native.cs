using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Paddock.Agent.Filesystem;

internal static partial class Native
{
    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, int owner, int group);

    /// <summary><c>open(path, O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, mode)</c>: envd's open for an upload.</summary>
    public static SafeFileHandle OpenForWrite(string path, int mode) => new(Open(path, 0x1 | 0x40 | 0x200 | 0x80000, mode), ownsHandle: true);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "inotify_init1", SetLastError = true)]
    public static partial int InotifyInit1(int flags);

    [LibraryImport("libc", EntryPoint = "inotify_add_watch", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int InotifyAddWatch(int fd, string path, uint mask);

    [LibraryImport("libc", EntryPoint = "inotify_rm_watch", SetLastError = true)]
    public static partial int InotifyRmWatch(int fd, int wd);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    public static unsafe partial nint Read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    /// <summary>What <c>lstat</c> (or, following links, <c>stat</c>) says of a path; null when it does not exist.</summary>
    public static FileStat? Stat(string path, bool followLinks)
    {
        if (Statx(AtFdCwd, path, followLinks ? 0 : AtSymlinkNoFollow, StatxBasicStats, out var stat) != 0)
        {
            return null;
        }

        var modified = DateTimeOffset.FromUnixTimeSeconds(stat.MtimeSeconds).AddTicks(stat.MtimeNanoseconds / 100);
        return new FileStat(stat.Mode, (long)stat.Size, (int)stat.Uid, (int)stat.Gid, modified.UtcDateTime);
    }

    /// <summary>The canonical absolute path, every symlink resolved (Go's <c>filepath.EvalSymlinks</c>, which envd uses); null when it cannot be resolved.</summary>
    public static string? RealPath(string path)
    {
        var resolved = Realpath(path, 0);
        if (resolved == 0)
        {
            return null;
        }

        try
        {
            return Marshal.PtrToStringUTF8(resolved);
        }
        finally
        {
            Free(resolved);
        }
    }

    [LibraryImport("libc", EntryPoint = "realpath", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint Realpath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "free")]
    private static partial void Free(nint pointer);

    [StructLayout(LayoutKind.Sequential)]
    private struct StatX
    {
        public uint Mask;
        public uint BlkSize;
        public ulong Attributes;
        public uint Nlink;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        private ushort _spare0;
        public ulong Ino;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        private unsafe fixed byte _atimeBtimeCtime[48];
        public long MtimeSeconds;
        public uint MtimeNanoseconds;
        private unsafe fixed byte _rest[256 - 124];
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxBasicStats = 0x7ff;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, out StatX buffer);
}

/// <summary>A path's type and permission bits (<c>st_mode</c>), size, owner and modification time.</summary>
internal readonly record struct FileStat(ushort Mode, long Size, int Uid, int Gid, DateTime ModifiedUtc)
{
    public bool IsDirectory => (Mode & 0xF000) == 0x4000;

    public bool IsSymlink => (Mode & 0xF000) == 0xA000;

    public int Permissions => Mode & 0x1FF;
}
