using System.Runtime.InteropServices;
using System.Text;

namespace Paddock.Runtime.Native;

/// <summary>
/// The btrfs ioctls behind per-sandbox disk quotas: subvolumes (one per sandbox, removed whole without
/// walking its files), simple quotas (kernel 6.7+: usage kept per subvolume at allocation time, cheaper
/// than full qgroup accounting) and a qgroup's size limit.
/// </summary>
internal static unsafe partial class Btrfs
{
    public const long SuperMagic = 0x9123683E;

    private const byte IoctlMagic = 0x94;
    private const int VolumeArgsSize = 4096;
    private const ulong QuotaCtlEnableSimple = 4;
    private const ulong LimitMaxReferenced = 1;
    private const ulong FirstFreeObjectId = 256;

    private static readonly ulong s_quotaCtl = Ioctl(3, 40, 16);
    private static readonly ulong s_subvolCreate = Ioctl(1, 14, VolumeArgsSize);
    private static readonly ulong s_snapDestroy = Ioctl(1, 15, VolumeArgsSize);
    private static readonly ulong s_snapCreateV2 = Ioctl(1, 23, VolumeArgsSize);
    private static readonly ulong s_inoLookup = Ioctl(3, 18, 4096);
    private static readonly ulong s_fsInfo = Ioctl(2, 31, 1024);
    private static readonly ulong s_qgroupLimit = Ioctl(2, 43, 48);
    private static readonly ulong s_subvolGetFlags = Ioctl(2, 25, 8);
    private static readonly ulong s_subvolSetFlags = Ioctl(1, 26, 8);

    /// <summary>Turns simple quotas on for the filesystem of <paramref name="fd"/> (already on: nothing changes).</summary>
    public static void EnableSimpleQuotas(int fd)
    {
        var args = stackalloc ulong[2] { QuotaCtlEnableSimple, 0 };
        if (IoctlRaw(fd, s_quotaCtl, args) != 0 && Marshal.GetLastPInvokeError() != Libc.Eexist)
        {
            throw Libc.Error("enabling btrfs simple quotas (kernel 6.7 or later is needed)");
        }
    }

    /// <summary>Creates subvolume <paramref name="name"/> in the directory <paramref name="dirFd"/>.</summary>
    public static void CreateSubvolume(int dirFd, string name)
    {
        if (VolumeCall(dirFd, s_subvolCreate, name) != 0)
        {
            throw Libc.Error($"creating btrfs subvolume {name}");
        }
    }

    /// <summary>
    /// Snapshots the subvolume open as <paramref name="sourceFd"/> as <paramref name="name"/> in the directory
    /// <paramref name="dirFd"/>, read-only when asked: a copy that shares every block with its source until either
    /// changes. Subvolumes nested in the source appear in the snapshot as empty directories.
    /// </summary>
    public static void SnapshotSubvolume(int dirFd, int sourceFd, string name, bool readOnly)
    {
        // struct btrfs_ioctl_vol_args_v2: fd, transid, flags, a 32-byte union, then the name (4040 bytes).
        const ulong ReadOnlyFlag = 1 << 1;
        var bytes = Encoding.UTF8.GetBytes(name);
        var args = stackalloc byte[VolumeArgsSize];
        new Span<byte>(args, VolumeArgsSize).Clear();
        *(long*)args = sourceFd;
        *(ulong*)(args + 16) = readOnly ? ReadOnlyFlag : 0;
        bytes.CopyTo(new Span<byte>(args + 56, VolumeArgsSize - 57));
        if (IoctlRaw(dirFd, s_snapCreateV2, args) != 0)
        {
            throw Libc.Error($"snapshotting a btrfs subvolume as {name}");
        }
    }

    /// <summary>Makes the subvolume open as <paramref name="subvolumeFd"/> read-only (its other flags kept).</summary>
    public static void MakeReadOnly(int subvolumeFd)
    {
        const ulong ReadOnlyFlag = 1 << 1;
        ulong flags = 0;
        if (IoctlRaw(subvolumeFd, s_subvolGetFlags, &flags) != 0)
        {
            throw Libc.Error("reading a btrfs subvolume's flags");
        }

        flags |= ReadOnlyFlag;
        if (IoctlRaw(subvolumeFd, s_subvolSetFlags, &flags) != 0)
        {
            throw Libc.Error("making a btrfs subvolume read-only");
        }
    }

    /// <summary>Deletes subvolume <paramref name="name"/> of <paramref name="dirFd"/> with everything in it; false when there is none.</summary>
    public static bool DeleteSubvolume(int dirFd, string name)
    {
        if (VolumeCall(dirFd, s_snapDestroy, name) == 0)
        {
            return true;
        }

        return Marshal.GetLastPInvokeError() == Libc.Enoent ? false : throw Libc.Error($"deleting btrfs subvolume {name}");
    }

    /// <summary>Limits what the subvolume open as <paramref name="subvolumeFd"/> may hold, in bytes.</summary>
    public static void LimitSubvolume(int subvolumeFd, long maxBytes) => SetLimit(subvolumeFd, (ulong)maxBytes);

    /// <summary>
    /// Lifts a subvolume's limit. Deleting a subvolume needs room for the deletion's own metadata: one
    /// whose quota is full could not be deleted at all.
    /// </summary>
    public static void UnlimitSubvolume(int subvolumeFd) => SetLimit(subvolumeFd, ulong.MaxValue);

    private static void SetLimit(int subvolumeFd, ulong maxBytes)
    {
        // struct btrfs_ioctl_qgroup_limit_args: qgroupid (0: this subvolume's), then flags, max_rfer, max_excl, rsv_rfer, rsv_excl.
        var args = stackalloc ulong[6] { 0, LimitMaxReferenced, maxBytes, 0, 0, 0 };
        if (IoctlRaw(subvolumeFd, s_qgroupLimit, args) != 0)
        {
            throw Libc.Error("setting a btrfs quota limit");
        }
    }

    /// <summary>The id of the subvolume open as <paramref name="fd"/> (its qgroup is <c>0/id</c>).</summary>
    public static ulong SubvolumeId(int fd)
    {
        var args = stackalloc byte[4096];
        new Span<byte>(args, 4096).Clear();
        ((ulong*)args)[1] = FirstFreeObjectId;
        if (IoctlRaw(fd, s_inoLookup, args) != 0)
        {
            throw Libc.Error("looking up a btrfs subvolume id");
        }

        return ((ulong*)args)[0];
    }

    /// <summary>The filesystem's UUID, as it names the filesystem in <c>/sys/fs/btrfs</c>.</summary>
    public static string FilesystemId(int fd)
    {
        var args = stackalloc byte[1024];
        new Span<byte>(args, 1024).Clear();
        if (IoctlRaw(fd, s_fsInfo, args) != 0)
        {
            throw Libc.Error("reading btrfs filesystem info");
        }

        return new Guid(new ReadOnlySpan<byte>(args + 16, 16), bigEndian: true).ToString();
    }

    private static int VolumeCall(int dirFd, ulong request, string name)
    {
        var bytes = Encoding.UTF8.GetBytes(name);
        var args = stackalloc byte[VolumeArgsSize];
        new Span<byte>(args, VolumeArgsSize).Clear();
        bytes.CopyTo(new Span<byte>(args + 8, VolumeArgsSize - 9));
        return IoctlRaw(dirFd, request, args);
    }

    private static ulong Ioctl(uint direction, uint number, uint size) => (direction << 30) | (size << 16) | ((uint)IoctlMagic << 8) | number;

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int IoctlRaw(int fd, ulong request, void* argument);
}
