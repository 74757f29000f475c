using System.Diagnostics;
using Paddock.Runtime.Native;

namespace Paddock.Runtime.Host;

/// <summary>
/// A read-only view of a template's root filesystem in which every file appears owned by the host id
/// range that root inside a sandbox maps to. Overlay uses it as the lower layer, so the template is
/// shared by every sandbox without a copy or a chown. A snapshot's layer, whose files are owned by the range
/// of the sandbox it was taken from, is viewed the same way from that range (<c>sourceIdBase</c>) to another.
/// </summary>
internal static class IdMappedMount
{
    public static async Task EnsureAsync(string source, string target, long hostIdBase, int count, CancellationToken cancellationToken, long sourceIdBase = 0)
    {
        if (MountTable.IsMountPoint(target))
        {
            return;
        }

        Directory.CreateDirectory(target);
        var treeFd = await OpenDetachedAsync(source, hostIdBase, count, cancellationToken, sourceIdBase);
        try
        {
            if (Libc.MoveMount(treeFd, string.Empty, Libc.AtFdCwd, target, Libc.MoveMountFEmptyPath) != 0)
            {
                throw Libc.Error($"move_mount to {target}");
            }
        }
        finally
        {
            Libc.Close(treeFd);
        }
    }

    /// <summary>
    /// The view as a detached mount: a descriptor (close-on-exec) of a mount in no namespace's table, which
    /// overlay takes as its lower layer through <c>/proc/self/fd/N</c>. Closing it drops the view.
    /// </summary>
    public static async Task<int> OpenDetachedAsync(string source, long hostIdBase, int count, CancellationToken cancellationToken, long sourceIdBase = 0)
    {
        var usernsFd = await OpenUserNamespaceAsync(sourceIdBase, hostIdBase, count, cancellationToken);
        try
        {
            var treeFd = Libc.OpenTree(Libc.AtFdCwd, source, Libc.OpenTreeClone | Libc.OCloexec | Libc.AtRecursive);
            if (treeFd < 0)
            {
                throw Libc.Error($"open_tree({source})");
            }

            var attr = new Libc.MountAttr
            {
                AttrSet = Libc.MountAttrIdmap | Libc.MountAttrReadOnly,
                UsernsFd = (ulong)usernsFd,
            };
            if (Libc.MountSetattr(treeFd, string.Empty, Libc.AtEmptyPath | Libc.AtRecursive, ref attr) != 0)
            {
                var error = Libc.Error($"mount_setattr(idmap) on {source}");
                Libc.Close(treeFd);
                throw error;
            }

            return treeFd;
        }
        finally
        {
            Libc.Close(usernsFd);
        }
    }

    // An idmapped mount takes its mapping from a user namespace. A short-lived process owns one just
    // long enough for us to write its maps and open it.
    private static async Task<int> OpenUserNamespaceAsync(long sourceIdBase, long hostIdBase, int count, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("unshare") { UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--user", "sleep", "30" })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException("could not start unshare");
        try
        {
            var own = File.ResolveLinkTarget("/proc/self/ns/user", false)?.ToString();
            var nsPath = $"/proc/{process.Id}/ns/user";
            var deadline = Stopwatch.StartNew();
            while (File.ResolveLinkTarget(nsPath, false)?.ToString() == own || File.ReadAllText($"/proc/{process.Id}/comm").Trim() != "sleep")
            {
                if (deadline.Elapsed > TimeSpan.FromSeconds(5))
                {
                    throw new InvalidOperationException("unshare did not enter a new user namespace");
                }

                await Task.Delay(1, cancellationToken);
            }

            await File.WriteAllTextAsync($"/proc/{process.Id}/uid_map", $"{sourceIdBase} {hostIdBase} {count}", cancellationToken);
            await File.WriteAllTextAsync($"/proc/{process.Id}/gid_map", $"{sourceIdBase} {hostIdBase} {count}", cancellationToken);
            var handle = File.OpenHandle(nsPath, FileMode.Open, FileAccess.Read);
            var fd = (int)handle.DangerousGetHandle();
            handle.SetHandleAsInvalid();
            return fd;
        }
        finally
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }
}
