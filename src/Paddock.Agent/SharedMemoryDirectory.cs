namespace Paddock.Agent;

/// <summary>
/// The sandbox's <c>/dev/shm</c>: a directory of its <c>/dev</c> tmpfs rather than a tmpfs of its own (every
/// superblock a sandbox mounts costs the host kernel memory until reboot; see the runtime's OciSpec). The agent
/// makes it before anything it starts can need it, as a mount would: world-writable with the sticky bit.
/// </summary>
internal static class SharedMemoryDirectory
{
    public const string Path = "/dev/shm";

    public static void Create()
    {
        Directory.CreateDirectory(Path);
        File.SetUnixFileMode(Path, UnixFileMode.StickyBit
            | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
            | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
    }
}
