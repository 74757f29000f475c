namespace Paddock.Runtime.Host;

/// <summary>
/// Files every sandbox maps, read once by the server so their page cache is charged to the server's memory cgroup.
/// A page is charged to the cgroup of whoever first brought it into the cache: one first faulted in by a sandbox (its
/// agent starting) stays charged to that sandbox's memory cgroup after the sandbox is deleted, and keeps that cgroup,
/// and the kernel memory it holds (about 0.5 MiB on a host that once ran thousands of sandboxes), alive until the
/// page is evicted.
/// </summary>
internal static class SharedPageCache
{
    /// <summary>Reads <paramref name="path"/> through, if it exists; a file already cached stays charged where it is.</summary>
    public static async Task ClaimAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return;
        }

        var buffer = new byte[1 << 20];
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
        while (await file.ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }
}
