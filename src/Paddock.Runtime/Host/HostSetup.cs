using Paddock.Runtime.Native;

namespace Paddock.Runtime.Host;

/// <summary>
/// What the host must provide before a container can run, checked (and fixed where Paddock can) once
/// at start: root, crun, a cgroup layout crun accepts, data directories with the permissions user
/// namespaces need.
/// </summary>
internal sealed class HostSetup(RuntimeOptions options)
{
    private const string UnifiedControllers = "/sys/fs/cgroup/unified/cgroup.controllers";

    public HostFacts Facts { get; private set; } = new(SwapAccounting: false, NoFileLimit: 1024, MaskedDirectories: []);

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        if (Libc.GetEffectiveUserId() != 0)
        {
            throw new InvalidOperationException("Paddock's crun runtime must run as root (it mounts overlays and creates namespaces).");
        }

        try
        {
            await CommandRunner.RunAsync(options.CrunPath, ["--version"], cancellationToken);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new InvalidOperationException($"crun was not found ('{options.CrunPath}'); install it with: apt-get install crun");
        }

        if (!File.ReadAllText("/proc/filesystems").Contains("\tbtrfs", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The kernel has no btrfs, which holds the sandboxes' writable layers with per-sandbox disk quotas");
        }

        if (!File.Exists(options.AgentPath))
        {
            throw new InvalidOperationException(
                $"The in-sandbox agent was not found at {options.AgentPath}; publish it there with: "
                + "dotnet publish src/Paddock.Agent -c Release -o <that directory> (or set PADDOCK_AGENT_PATH).");
        }

        // The sandbox's root is an unprivileged uid outside, so for the host's file modes it is "other".
        if ((File.GetUnixFileMode(options.AgentPath) & UnixFileMode.OtherExecute) == 0)
        {
            throw new InvalidOperationException(
                $"The in-sandbox agent at {options.AgentPath} is not executable by the sandboxes' root (an unprivileged uid on the host); "
                + $"make it so with: chmod 755 {options.AgentPath}");
        }

        FixHybridCgroups();
        InheritCpusets();

        // The host binds each sandbox's channel sockets in its bundle: their paths must fit a socket address.
        var longestSocket = Path.Combine(options.SandboxesDir, new string('x', 24), "tunnel.sock");
        if (System.Text.Encoding.UTF8.GetByteCount(longestSocket) >= 108)
        {
            throw new InvalidOperationException(
                $"The data directory {options.DataDir} is too long: sandbox sockets under it would not fit a unix socket address (107 bytes); choose a shorter path");
        }

        // User namespaces need every directory above a bundle to be searchable by the mapped root.
        foreach (var dir in new[] { options.DataDir, options.TemplateMountsDir, options.ResolvedTemplatesDir })
        {
            Directory.CreateDirectory(dir);
            File.SetUnixFileMode(dir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }

        // Those above the data dir are not ours to change: say which one to open up, rather than let crun
        // fail every create with "permission denied".
        foreach (var dir in new[] { Path.GetFullPath(options.DataDir), Path.GetFullPath(options.ResolvedTemplatesDir) })
        {
            for (var parent = Path.GetDirectoryName(dir); parent is not null; parent = Path.GetDirectoryName(parent))
            {
                if ((File.GetUnixFileMode(parent) & UnixFileMode.OtherExecute) == 0)
                {
                    throw new InvalidOperationException(
                        $"{parent} is not searchable by the sandboxes' root (an unprivileged uid on the host), so {dir} cannot be used; "
                        + $"chmod o+x {parent}, or choose another data directory");
                }
            }
        }

        Directory.CreateDirectory(options.ResolvedCrunRoot);

        var noFile = Libc.GetRLimit(Libc.RlimitNofile, out var limit) == 0 ? limit.Max : 1024UL;
        Facts = new HostFacts(
            SwapAccounting: File.Exists("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"),
            NoFileLimit: (int)Math.Min(noFile, 65536),
            MaskedDirectories: MaskedDirectories(options));
    }

    // crun 1.8 refuses a hybrid layout whose cgroup2 hierarchy still has controllers. On hosts where
    // hugetlb is the one left there, binding it to a v1 hierarchy empties cgroup2's list.
    // The sandboxes' masks for the host's /proc and /sys directories: an empty directory, read-only, bound over each.
    // crun masks a directory with a tmpfs of its own, a new superblock per directory and sandbox, and the kernel sizes
    // the shrinker map of every memory cgroup for the most superblocks ever mounted at once (about 1 KiB per 64, per
    // cgroup, never given back before a reboot). A bind adds no superblock. Nothing may be in the directory: the
    // sandboxes see it.
    private static string[] MaskedDirectories(RuntimeOptions options)
    {
        Directory.CreateDirectory(options.EmptyDir);
        File.SetUnixFileMode(options.EmptyDir, UnixFileMode.UserRead | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        if (Directory.EnumerateFileSystemEntries(options.EmptyDir).Any())
        {
            throw new InvalidOperationException(
                $"{options.EmptyDir} must be empty: every sandbox sees it (it masks parts of /proc and /sys); remove what is in it");
        }

        return Crun.OciSpec.MaskedDirectories.Where(Directory.Exists).ToArray();
    }

    // On cgroup v1 a new cpuset group has no CPUs or memory nodes, and crun gives each sandbox's its parent's, a write
    // that checks the new masks against every sibling's and rebuilds the scheduler's domains: at 3000 sandboxes one of
    // the costs of a create that grew with the population. With clone_children set on the sandboxes' parent the kernel
    // copies them at mkdir, and crun, finding them set, writes nothing.
    private static void InheritCpusets()
    {
        const string Root = "/sys/fs/cgroup/cpuset";
        var parent = Root + Crun.SandboxCgroups.ParentPath;
        if (!File.Exists(Path.Combine(Root, "cpuset.cpus")))
        {
            return;
        }

        Directory.CreateDirectory(parent);
        foreach (var mask in new[] { "cpuset.cpus", "cpuset.mems" })
        {
            if (string.IsNullOrWhiteSpace(File.ReadAllText(Path.Combine(parent, mask))))
            {
                File.WriteAllText(Path.Combine(parent, mask), File.ReadAllText(Path.Combine(Root, mask)).Trim());
            }
        }

        File.WriteAllText(Path.Combine(parent, "cgroup.clone_children"), "1");
    }

    private static void FixHybridCgroups()
    {
        if (!File.Exists(UnifiedControllers) || string.IsNullOrWhiteSpace(File.ReadAllText(UnifiedControllers)))
        {
            return;
        }

        var controllers = File.ReadAllText(UnifiedControllers).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var controller in controllers)
        {
            var target = Path.Combine("/sys/fs/cgroup", controller);
            Directory.CreateDirectory(target);
            if (!MountTable.IsMountPoint(target) && Libc.Mount("cgroup", target, "cgroup", 0, controller) != 0)
            {
                throw Libc.Error($"binding cgroup controller {controller} to cgroup v1 at {target} (crun needs cgroup2 to have no controllers on a hybrid host)");
            }
        }
    }
}

/// <summary>Host properties that shape every container's configuration.</summary>
/// <param name="SwapAccounting">Whether the memory controller limits memory and swap together.</param>
/// <param name="NoFileLimit">The descriptor limit a sandbox gets (the server's own hard limit, at most 65536).</param>
/// <param name="MaskedDirectories">The directories of <see cref="Crun.OciSpec.MaskedDirectories"/> this kernel has.</param>
internal sealed record HostFacts(bool SwapAccounting, int NoFileLimit, IReadOnlyList<string> MaskedDirectories);
