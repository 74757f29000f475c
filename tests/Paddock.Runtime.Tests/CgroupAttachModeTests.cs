using Paddock.Runtime.Host;

namespace Paddock.Runtime.Tests;

/// <summary>Whether the host's cgroups make moving a process cheap, read from a mount table.</summary>
public sealed class CgroupAttachModeTests : IDisposable
{
    private readonly string _file = Path.GetTempFileName();

    public void Dispose() => File.Delete(_file);

    [Fact]
    public void AHierarchyWithFavordynmods_IsFound_OtherOptionsAreNot()
    {
        File.WriteAllText(_file, """
            27 26 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            44 27 0:39 / /sys/fs/cgroup/dynmods rw,relatime - cgroup cgroup rw,favordynmods,name=dynmods
            """);
        Assert.True(CgroupAttachMode.FavorsDynamicChanges(_file));

        File.WriteAllText(_file, """
            27 26 0:24 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            45 26 0:40 / /mnt/favordynmods rw,relatime - tmpfs tmpfs rw,favordynmods
            """);
        Assert.False(CgroupAttachMode.FavorsDynamicChanges(_file));
    }
}
