using System.Text.Json.Nodes;
using Paddock.Core.Runtime;
using Paddock.Runtime.Host;

namespace Paddock.Runtime.Crun;

/// <summary>Builds a sandbox's OCI <c>config.json</c>.</summary>
internal static class OciSpec
{
    /// <summary>Where the per-sandbox host channel directory appears inside the sandbox.</summary>
    public const string ChannelMountPoint = "/run/paddock";

    public const int SandboxUserId = 1000;

    /// <summary>Where the agent's directory appears inside the sandbox (read-only).</summary>
    public const string AgentMountPoint = "/opt/paddock";

    // Docker's default capability set: what a container keeps.
    private static readonly string[] s_capabilities =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
    ];


    public static IReadOnlyList<string> Capabilities => s_capabilities;

    public static JsonObject Build(SandboxSpec spec, string rootfs, string channelDir, RuntimeOptions options, HostFacts host)
    {
        // The agent is init (pid 1) and runs as the sandbox's root so it can start processes as any user.
        // The shell sets SIGCHLD to ignored before exec: the kernel then reaps orphans reparented to
        // pid 1, and .NET, finding SIGCHLD ignored at start, reaps every child it did not start itself.
        var agent = $"{AgentMountPoint}/{Path.GetFileName(options.AgentPath)}";
        string[] initArgs = ["/bin/sh", "-c", $"trap '' CHLD; exec {agent} --channel {ChannelMountPoint}"];

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

        return new JsonObject
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
                ["noNewPrivileges"] = true,
            },
            ["root"] = new JsonObject { ["path"] = rootfs, ["readonly"] = false },
            ["hostname"] = spec.SandboxId,
            ["mounts"] = new JsonArray(
                Mount("/proc", "proc", "proc", []),
                Mount("/dev", "tmpfs", "tmpfs", ["nosuid", "strictatime", "mode=755", "size=65536k"]),
                Mount("/dev/pts", "devpts", "devpts", ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]),
                Mount("/dev/shm", "shm", "tmpfs", ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]),
                Mount("/dev/mqueue", "mqueue", "mqueue", ["nosuid", "noexec", "nodev"]),
                Mount("/sys", "sysfs", "sysfs", ["nosuid", "noexec", "nodev", "ro"]),
                Mount("/sys/fs/cgroup", "cgroup", "cgroup", ["nosuid", "noexec", "nodev", "relatime", "ro"]),
                Mount(ChannelMountPoint, channelDir, "bind", ["rbind", "rw", "nosuid", "nodev"]),
                Mount(AgentMountPoint, Path.GetDirectoryName(options.AgentPath)!, "bind", ["rbind", "ro", "nosuid", "nodev"])),
            ["linux"] = new JsonObject
            {
                ["namespaces"] = new JsonArray(
                    Namespace("pid"), Namespace("ipc"), Namespace("uts"), Namespace("mount"),
                    Namespace("cgroup"), Namespace("network"), Namespace("user")),
                ["uidMappings"] = IdMap(options),
                ["gidMappings"] = IdMap(options),
                ["cgroupsPath"] = CgroupPath(spec.SandboxId),
                ["resources"] = new JsonObject
                {
                    ["devices"] = new JsonArray(new JsonObject { ["allow"] = false, ["access"] = "rwm" }),
                    ["memory"] = memoryLimits,
                    ["pids"] = new JsonObject { ["limit"] = options.PidsLimit },
                    ["cpu"] = new JsonObject { ["quota"] = spec.CpuCount * 100_000L, ["period"] = 100_000 },
                },
                ["seccomp"] = SeccompProfile.Build(),
                ["maskedPaths"] = Strings([
                    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi", "/sys/devices/virtual/powercap"]),
                ["readonlyPaths"] = Strings([
                    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"]),
            },
        };
    }

    /// <summary>The cgroup (under each v1 controller) of a sandbox.</summary>
    public static string CgroupPath(string sandboxId) => $"/paddock/{sandboxId}";

    private static JsonArray IdMap(RuntimeOptions options) => new(new JsonObject
    {
        ["containerID"] = 0,
        ["hostID"] = options.HostIdBase,
        ["size"] = options.HostIdCount,
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
