using System.Globalization;
using Microsoft.Win32.SafeHandles;
using Paddock.Runtime.Native;

namespace Paddock.Runtime.Host;

/// <summary>
/// The filesystem that holds every sandbox's bundle (its writable layer, work dir, log and channel files):
/// btrfs with simple quotas, mounted at <c>&lt;DataDir&gt;/sandboxes</c>. Each bundle is a subvolume with a
/// size limit the kernel enforces (writes past it fail with <c>EDQUOT</c>), and its log a nested subvolume
/// with a limit of its own, so neither the sandbox's files nor what it prints can fill the host's disk.
/// A subvolume is deleted whole, by name, without walking (or following) anything the sandbox made in it.
/// When the data dir's own filesystem is not btrfs, the volume is a sparse image file beside it
/// (<c>sandboxes.img</c>), loop-mounted; an operator can mount a btrfs filesystem of their own there instead.
/// </summary>
internal sealed class SandboxVolume(RuntimeOptions options)
{
    /// <summary>The nested subvolume (and the file in it) a sandbox's output goes to.</summary>
    public const string LogDir = "log";

    public const string LogFileName = "output.log";

    private const long MinimumImageBytes = 1L << 30;

    private string? _filesystemId;

    private string Root => options.SandboxesDir;

    private string ImagePath => Path.Combine(options.DataDir, "sandboxes.img");

    /// <summary>Mounts the volume (making its image first if there is none) and turns its quotas on.</summary>
    public async Task MountAsync(CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Root);
        if (!MountTable.IsMountPoint(Root))
        {
            if (Directory.EnumerateFileSystemEntries(Root).Any())
            {
                throw new InvalidOperationException(
                    $"{Root} holds files but is not Paddock's sandbox volume (it may hold sandboxes of an older Paddock, which kept them "
                    + "on the data dir's own filesystem); stop them and empty it, or choose another data directory");
            }

            if (!File.Exists(ImagePath))
            {
                await CreateImageAsync(cancellationToken);
            }

            await CommandRunner.RunAsync("mount", ["-t", "btrfs", "-o", "loop,noatime,discard=async", ImagePath, Root], cancellationToken);
        }

        using var root = OpenDirectory(Root);
        if (Libc.FileSystemType(root) != Btrfs.SuperMagic)
        {
            throw new InvalidOperationException($"{Root} is a mount point but not a btrfs filesystem: Paddock needs btrfs there for per-sandbox disk quotas");
        }

        Btrfs.EnableSimpleQuotas((int)root.DangerousGetHandle());
        _filesystemId = Btrfs.FilesystemId((int)root.DangerousGetHandle());
        File.SetUnixFileMode(Root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    /// <summary>Unmounts the volume when it holds no sandbox and Paddock mounted it (its image is here).</summary>
    public void UnmountIfEmpty()
    {
        if (File.Exists(ImagePath) && MountTable.IsMountPoint(Root) && !Directory.EnumerateFileSystemEntries(Root).Any())
        {
            Libc.Umount2(Root, 0);
        }
    }

    /// <summary>Makes a sandbox's bundle: a subvolume holding at most <paramref name="diskBytes"/>, with a log subvolume of <paramref name="logBytes"/>.</summary>
    public void CreateBundle(string sandboxId, long diskBytes, long logBytes)
    {
        using (var root = OpenDirectory(Root))
        {
            Btrfs.CreateSubvolume((int)root.DangerousGetHandle(), sandboxId);
        }

        using var bundle = OpenDirectory(Path.Combine(Root, sandboxId));
        Btrfs.LimitSubvolume((int)bundle.DangerousGetHandle(), diskBytes);
        Btrfs.CreateSubvolume((int)bundle.DangerousGetHandle(), LogDir);
        using var log = OpenDirectory(Path.Combine(Root, sandboxId, LogDir));
        Btrfs.LimitSubvolume((int)log.DangerousGetHandle(), logBytes);
    }

    /// <summary>Removes a sandbox's bundle whole; nothing happens when there is none.</summary>
    public void DeleteBundle(string sandboxId)
    {
        var path = Path.Combine(Root, sandboxId);
        if (!Directory.Exists(path))
        {
            return;
        }

        // A sandbox that filled its quota leaves none for the deletion itself: lift the limits first (the
        // container is gone by now, nothing writes there any more).
        using (var bundle = OpenDirectory(path))
        {
            Btrfs.UnlimitSubvolume((int)bundle.DangerousGetHandle());
            if (Directory.Exists(Path.Combine(path, LogDir)))
            {
                using var log = OpenDirectory(Path.Combine(path, LogDir));
                Btrfs.UnlimitSubvolume((int)log.DangerousGetHandle());
            }

            Btrfs.DeleteSubvolume((int)bundle.DangerousGetHandle(), LogDir);
        }

        using var root = OpenDirectory(Root);
        Btrfs.DeleteSubvolume((int)root.DangerousGetHandle(), sandboxId);
    }

    /// <summary>
    /// Bytes the sandbox's bundle holds now, as the quota counts it: what is committed to disk, and what is
    /// written but not yet committed (the quota reserves it at once; the committed count follows within seconds).
    /// </summary>
    public long UsedBytes(string sandboxId) => ReadQuotaGroup(sandboxId, "referenced") + ReadQuotaGroup(sandboxId, "rsv_data");

    /// <summary>The most the sandbox's bundle may hold, in bytes (<see cref="long.MaxValue"/> while its limit is lifted).</summary>
    public long LimitBytes(string sandboxId) => ReadQuotaGroup(sandboxId, "max_referenced");

    /// <summary>Lifts the limit of a sandbox's bundle, for the host's own writes there (see <see cref="Limit"/>).</summary>
    public void LiftLimit(string sandboxId)
    {
        using var bundle = OpenDirectory(Path.Combine(Root, sandboxId));
        Btrfs.UnlimitSubvolume((int)bundle.DangerousGetHandle());
    }

    /// <summary>Limits what a sandbox's bundle may hold, in bytes; below what it holds already, only deletions succeed.</summary>
    public void Limit(string sandboxId, long bytes)
    {
        using var bundle = OpenDirectory(Path.Combine(Root, sandboxId));
        Btrfs.LimitSubvolume((int)bundle.DangerousGetHandle(), bytes);
    }

    private long ReadQuotaGroup(string sandboxId, string counter)
    {
        using var bundle = OpenDirectory(Path.Combine(Root, sandboxId));
        var id = Btrfs.SubvolumeId((int)bundle.DangerousGetHandle());
        var path = $"/sys/fs/btrfs/{_filesystemId}/qgroups/0_{id.ToString(CultureInfo.InvariantCulture)}/{counter}";

        // No limit reads as 2^64 - 1.
        return (long)Math.Min(ulong.Parse(File.ReadAllText(path).Trim(), CultureInfo.InvariantCulture), long.MaxValue);
    }

    private async Task CreateImageAsync(CancellationToken cancellationToken)
    {
        var size = options.VolumeSizeMB > 0
            ? options.VolumeSizeMB * 1024L * 1024
            : new DriveInfo(options.DataDir).AvailableFreeSpace;
        if (size < MinimumImageBytes)
        {
            throw new InvalidOperationException(
                $"the sandbox volume would be {size / (1024 * 1024)} MiB; it needs at least {MinimumImageBytes / (1024 * 1024)} MiB (free space, or VolumeSizeMB)");
        }

        // Sparse: the image takes host disk only as sandboxes write, and gives it back as they delete (discard).
        var partial = ImagePath + ".new";
        using (var image = File.Open(partial, FileMode.Create, FileAccess.Write))
        {
            image.SetLength(size);
        }

        await CommandRunner.RunAsync("mkfs.btrfs", ["-q", "-f", partial], cancellationToken);
        File.Move(partial, ImagePath);
    }

    private static SafeFileHandle OpenDirectory(string path)
    {
        var fd = Libc.Open(path, Libc.ORdOnly | Libc.ODirectory | Libc.ONoFollow | Libc.OCloexecFlag, 0);
        return fd >= 0 ? new SafeFileHandle(fd, ownsHandle: true) : throw Libc.Error($"opening {path}");
    }
}
