using System.Text.Json.Nodes;
using Paddock.Core.SandboxRuntime;
using Paddock.Runtime.Host;

namespace Paddock.Runtime.Crun;

/// <summary>Builds a sandbox's OCI <c>config.json</c>.</summary>
internal static class OciSpec
{
    public const int SandboxUserId = 1000;

    /// <summary>Where the agent's directory appears inside the sandbox (read-only).</summary>
    public const string AgentMountPoint = "/opt/paddock";

    // Docker's default capability set: what a container keeps.
    private static readonly string[] s_capabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];


    // What the container must not read of the host's /proc and /sys, as Docker masks it. The directories among them
    // are masked by a bind of one empty directory rather than by crun's read-only tmpfs: every superblock a sandbox
    // mounts costs the host kernel memory for every memory cgroup until reboot (see HostSetup.MaskedDirectories).
    private static readonly string[] s_maskedFiles =
        ["/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug"];

    // The controllers whose cgroup directories a sandbox sees (see the mounts).
    private static readonly string[] s_cgroupControllers = ["cpu", "cpuacct", "memory", "pids"];

    /// <summary>The directories masked in every sandbox, where the host has them.</summary>
    public static readonly string[] MaskedDirectories =
        ["/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap"];

    public static IReadOnlyList<string> Capabilities => s_capabilities;

    /// <param name="spec">The sandbox.</param>
    /// <param name="rootfs">Its root filesystem (the overlay).</param>
    /// <param name="hostIdBase">The first host id of its own id range: root inside is this id outside.</param>
    /// <param name="options">The runtime's settings.</param>
    /// <param name="host">What the host offers.</param>
    /// <param name="networkFiles">Its <c>/etc/resolv.conf</c> and <c>/etc/hosts</c> on the host, when it has a network.</param>
    public static JsonObject Build(SandboxSpec spec, string rootfs, long hostIdBase, RuntimeOptions options, HostFacts host, (string ResolvConf, string Hosts)? networkFiles = null)
    {
        // The agent is init (pid 1) and runs as the sandbox's root so it can start processes as any user. It
        // starts straight from crun, with SIGCHLD at its default action: .NET then catches it and reaps every
        // child, orphans reparented to pid 1 included (an ignored SIGCHLD, which exec passes on, would leave it
        // never learning that a process it started ended; dash's `trap '' CHLD` did not pass it on, bash's would).
        // Its channel comes as descriptors the host passes (see AgentChannel): no host directory is mounted.
        var agent = $"{AgentMountPoint}/{Path.GetFileName(options.AgentPath)}";
        string[] initArgs = [agent, "--host-fds"];

        var env = new JsonArray(
            "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOME=/root",
            "USER=root",
            "LOGNAME=root",
            "LANG=C.UTF-8",
            "TERM=xterm");
        foreach (var (key, value) in spec.EnvVars)
        {
            env.Add($"{key}={value}");
        }

        var memory = (long)spec.MemoryMB * 1024 * 1024;
        var memoryLimits = new JsonObject { ["limit"] = memory };
        if (host.SwapAccounting)
        {
            memoryLimits["swap"] = memory;
        }

        var config = new JsonObject
        {
            ["ociVersion"] = "1.0.2",
            ["process"] = new JsonObject
            {
                ["terminal"] = false,
                ["user"] = new JsonObject { ["uid"] = 0, ["gid"] = 0 },
                ["args"] = Strings(initArgs),
                ["env"] = env,
                ["cwd"] = "/",
                ["capabilities"] = new JsonObject
                {
                    ["bounding"] = Strings(s_capabilities),
                    ["effective"] = Strings(s_capabilities),
                    ["permitted"] = Strings(s_capabilities),
                    ["inheritable"] = new JsonArray(),
                    ["ambient"] = new JsonArray(),
                },
                ["rlimits"] = new JsonArray(new JsonObject
                {
                    ["type"] = "RLIMIT_NOFILE",
                    ["hard"] = host.NoFileLimit,
                    ["soft"] = host.NoFileLimit,
                }),
                // Off, as in Docker's default and so that the template's `sudo` works as in E2B's sandboxes: the
                // root it reaches is the sandbox's own (its user namespace), bounded by the capabilities above
                // and the seccomp filter, and no more than what the API gives any caller (`user: root`).
                ["noNewPrivileges"] = false,
            },
            ["root"] = new JsonObject { ["path"] = rootfs, ["readonly"] = false },
            ["hostname"] = spec.SandboxId,
            ["mounts"] = new JsonArray(Mounts(spec, options)),
            ["linux"] = new JsonObject
            {
                ["namespaces"] = new JsonArray(
                    Namespace("pid"), Namespace("ipc"), Namespace("uts"), Namespace("mount"),
                    Namespace("cgroup"), Namespace("network"), Namespace("user")),
                ["uidMappings"] = IdMap(hostIdBase),
                ["gidMappings"] = IdMap(hostIdBase),
                ["cgroupsPath"] = SandboxCgroups.RelativePath(spec.SandboxId),
                ["resources"] = new JsonObject
                {
                    ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }),
                    ["memory"] = memoryLimits,
                    ["pids"] = new JsonObject { ["limit"] = options.PidsLimit },
                    ["cpu"] = new JsonObject { ["quota"] = spec.CpuCount * 100_000L, ["period"] = 100_000 },
                },
                ["seccomp"] = SeccompProfile.Build(),
                // The directories the host has are masked by the binds above; crun skips what does not exist.
                ["maskedPaths"] = Strings(s_maskedFiles.Concat(MaskedDirectories.Except(host.MaskedDirectories))),
                ["readonlyPaths"] = Strings([
                    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]),
            },
        };

        var mountList = config["mounts"]!.AsArray();
        foreach (var dir in host.MaskedDirectories)
        {
            mountList.Add(Mount(dir, options.EmptyDir, "bind", ["bind", "ro", "nosuid", "nodev", "noexec"]));
        }

        if (networkFiles is { } files)
        {
            // The sandbox's own copies (it may edit them, as in any container); the resolver is its gateway.
            var mounts = config["mounts"]!.AsArray();
            mounts.Add(Mount("/etc/resolv.conf", files.ResolvConf, "bind", ["bind", "nosuid", "nodev", "noexec"]));
            mounts.Add(Mount("/etc/hosts", files.Hosts, "bind", ["bind", "nosuid", "nodev", "noexec"]));

            // IPv6 is off inside (the host drops it from sandboxes too): every rule is written for IPv4.
            config["linux"]!["sysctl"] = new JsonObject
            {
                ["net.ipv6.conf.all.disable_ipv6"] = "1",
                ["net.ipv6.conf.default.disable_ipv6"] = "1",
            };
        }

        return config;
    }

    // What every sandbox mounts, in order (the masks and network files are added after).
    private static JsonNode[] Mounts(SandboxSpec spec, RuntimeOptions options) =>
    [
        Mount("/proc", "proc", "proc", []),
        // One tmpfs for /dev and /dev/shm (a directory of it the agent makes, mode 1777): a tmpfs of its own
        // for /dev/shm was one more superblock per sandbox. The devices in it are binds from the host, whose
        // flags are their own, so noexec and the size apply to what is written here: shared memory.
        Mount("/dev", "tmpfs", "tmpfs", ["nosuid", "noexec", "strictatime", "mode=755", "size=65536k"]),
        Mount("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
        // Not a superblock of its own: the kernel made the IPC namespace's when crun created it.
        Mount("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
        Mount("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
        // The sandbox's own cgroups, as its cgroup namespace shows them, for the controllers anything inside
        // reads or writes (the agent's work group and metrics, runtimes sizing themselves to their limits):
        // binds of its directories over a small tmpfs, not the cgroup mount crun makes of every hierarchy.
        // Each cgroup v1 mount walks the host's whole default hierarchy (cgroup_lock_and_drain_offline in
        // cgroup1_get_tree), where crun puts a cgroup per sandbox on a hybrid host: eleven walks per create, each
        // longer with every live sandbox. Writable so the agent can move its process-starting thread into the
        // work group (see SandboxCgroups): every file but work's task lists belongs to the host and stays
        // read-only to the sandbox.
        Mount("/sys/fs/cgroup", "tmpfs", "tmpfs", ["nosuid", "noexec", "nodev", "mode=755", "size=64k"]),
        .. s_cgroupControllers.Select(c => Mount($"/sys/fs/cgroup/{c}", SandboxCgroups.PathOf(c, spec.SandboxId), "bind", ["bind", "nosuid", "noexec", "nodev", "rw"])),
        Mount(AgentMountPoint, Path.GetDirectoryName(options.AgentPath)!, "bind", ["rbind", "ro", "nosuid", "nodev"]),
    ];

    private static JsonArray IdMap(long hostIdBase) => new(new JsonObject
    {
        ["containerID"] = 0,
        ["hostID"] = hostIdBase,
        ["size"] = Host.HostIdSlots.RangeSize,
    });

    private static JsonObject Namespace(string type) => new() { ["type"] = type };

    private static JsonObject Mount(string destination, string source, string type, string[] options) => new()
    {
        ["destination"] = destination,
        ["type"] = type,
        ["source"] = source,
        ["options"] = Strings(options),
    };

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(v => (JsonNode)v).ToArray());
}
