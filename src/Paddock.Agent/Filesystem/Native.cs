using System.Runtime.InteropServices;

namespace Paddock.Agent.Filesystem;

internal static partial class Native
{
    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int LChown(string path, int owner, int group);

    /// <summary>Owner and group of a path (not following a final symlink).</summary>
    public static (int Uid, int Gid) Owner(string path) =>
        Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid | StatxGid, out var stat) == 0 ? ((int)stat.Uid, (int)stat.Gid) : (0, 0);

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
        private unsafe fixed byte _rest[256 - 64];
    }

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const uint StatxGid = 0x10;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Statx(int dirfd, string path, int flags, uint mask, out StatX buffer);
}
