using System.Text.Json.Nodes;
using Paddock.Core.SandboxRuntime;
using Paddock.Runtime.Crun;
using Paddock.Runtime.Host;

namespace Paddock.Runtime.Tests.Crun;

public class OciSpecTests
{
    private static JsonObject Build(bool swap = true) => OciSpec.Build(
        new SandboxSpec { SandboxId = "iabc", TemplateId = "base", CpuCount = 3, MemoryMB = 256, DiskSizeMB = 1024, EnvVars = new Dictionary<string, string> { ["FOO"] = "bar" } },
        "/data/sandboxes/iabc/rootfs",
        1073872896,
        new RuntimeOptions { PidsLimit = 77, AgentPath = "/srv/paddock/agent/paddock-agent", DataDir = "/data" },
        new HostFacts(SwapAccounting: swap, NoFileLimit: 4096, MaskedDirectories: ["/proc/acpi", "/sys/firmware"]));

    [Fact]
    public void Spec_IsolatesWithEveryNamespace_AndAnUnprivilegedIdMap()
    {
        var linux = Build()["linux"]!;
        var namespaces = linux["namespaces"]!.AsArray().Select(n => n!["type"]!.GetValue<string>()).Order().ToArray();
        Assert.Equal(["cgroup", "ipc", "mount", "network", "pid", "user", "uts"], namespaces);
        var map = linux["uidMappings"]![0]!;
        Assert.Equal((0, 1073872896L, 65536), (map["containerID"]!.GetValue<int>(), map["hostID"]!.GetValue<long>(), map["size"]!.GetValue<int>()));
        Assert.Equal("/paddock/iabc", linux["cgroupsPath"]!.GetValue<string>());
    }

    [Fact]
    public void Spec_LimitsResources()
    {
        var resources = Build()["linux"]!["resources"]!;
        Assert.Equal(256L * 1024 * 1024, resources["memory"]!["limit"]!.GetValue<long>());
        Assert.Equal(256L * 1024 * 1024, resources["memory"]!["swap"]!.GetValue<long>());
        Assert.Equal(77, resources["pids"]!["limit"]!.GetValue<int>());
        Assert.Equal(300_000L, resources["cpu"]!["quota"]!.GetValue<long>());
        Assert.Null(Build(swap: false)["linux"]!["resources"]!["memory"]!["swap"]);
    }

    [Fact]
    public void Init_IsTheAgent_AsSandboxRoot_WithTheDefaultCapabilitiesOnly()
    {
        var process = Build()["process"]!;
        Assert.Equal(0, process["user"]!["uid"]!.GetValue<int>());
        var args = process["args"]!.AsArray().Select(a => a!.GetValue<string>()).ToArray();
        Assert.Equal(["/opt/paddock/paddock-agent", "--host-fds"], args);
        Assert.False(process["noNewPrivileges"]!.GetValue<bool>());
        Assert.Equal(14, process["capabilities"]!["bounding"]!.AsArray().Count);
        Assert.Equal(14, process["capabilities"]!["effective"]!.AsArray().Count);
        Assert.Empty(process["capabilities"]!["ambient"]!.AsArray());
        Assert.Equal(4096, process["rlimits"]![0]!["hard"]!.GetValue<int>());
        Assert.Contains("FOO=bar", process["env"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal("iabc", Build()["hostname"]!.GetValue<string>());
    }

    [Fact]
    public void Mounts_TheAgentReadOnly_AndNoOtherHostPath()
    {
        var mounts = Build()["mounts"]!.AsArray().ToDictionary(m => m!["destination"]!.GetValue<string>(), m => m!);
        Assert.Equal("/srv/paddock/agent", mounts["/opt/paddock"]["source"]!.GetValue<string>());
        Assert.Contains("ro", mounts["/opt/paddock"]["options"]!.AsArray().Select(o => o!.GetValue<string>()));

        // The channel comes as descriptors: no host directory the host later reads from is in the sandbox. The other
        // binds are the sandbox's own cgroup directories (what its cgroup namespace shows of them), and the empty
        // directory that masks what the host has of the masked directories, read-only.
        var binds = mounts.Values.Where(m => m["type"]!.GetValue<string>() == "bind").ToArray();
        Assert.Equal(
            ["/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/opt/paddock", "/proc/acpi", "/sys/firmware"],
            binds.Select(m => m["destination"]!.GetValue<string>()));
        foreach (var cgroup in binds.Take(4))
        {
            Assert.Equal($"{cgroup["destination"]!.GetValue<string>()}/paddock/iabc", cgroup["source"]!.GetValue<string>());
        }

        foreach (var mask in binds.Skip(5))
        {
            Assert.Equal("/data/empty", mask["source"]!.GetValue<string>());
            Assert.Contains("ro", mask["options"]!.AsArray().Select(o => o!.GetValue<string>()));
        }
    }

    [Fact]
    public void Mounts_NoSuperblockASandboxCanDoWithout()
    {
        // Each superblock a sandbox mounts costs kernel memory in every memory cgroup of the host until reboot: the
        // filesystems are the root's, /proc, one tmpfs for /dev and /dev/shm, devpts, /sys and a tmpfs for the cgroup
        // binds (mqueue is the IPC namespace's own, made with it). No cgroup mount: each walks the host's hierarchy.
        var spec = Build();
        var filesystems = spec["mounts"]!.AsArray().Where(m => m!["type"]!.GetValue<string>() != "bind")
            .Select(m => (m!["destination"]!.GetValue<string>(), m["type"]!.GetValue<string>())).ToArray();
        Assert.Equal(
            [("/proc", "proc"), ("/dev", "tmpfs"), ("/dev/pts", "devpts"), ("/dev/mqueue", "mqueue"), ("/sys", "sysfs"), ("/sys/fs/cgroup", "tmpfs")],
            filesystems);
        Assert.Contains("noexec", spec["mounts"]!.AsArray().Single(m => m!["destination"]!.GetValue<string>() == "/dev")!["options"]!.AsArray().Select(o => o!.GetValue<string>()));

        // crun masks a directory with a tmpfs: those the host has are bound instead, and only files (and directories this
        // host lacks, which crun skips) are left to it.
        var masked = spec["linux"]!["maskedPaths"]!.AsArray().Select(p => p!.GetValue<string>()).ToArray();
        Assert.DoesNotContain("/proc/acpi", masked);
        Assert.DoesNotContain("/sys/firmware", masked);
        Assert.Contains("/proc/kcore", masked);
        Assert.Contains("/proc/scsi", masked);
    }

    [Fact]
    public void Seccomp_DeniesNamespaceMountAndKeyringCalls_WithEperm()
    {
        var seccomp = Build()["linux"]!["seccomp"]!;
        var rules = seccomp["syscalls"]!.AsArray();
        var denied = rules[0]!;
        Assert.Equal(1, denied["errnoRet"]!.GetValue<int>());
        var names = denied["names"]!.AsArray().Select(n => n!.GetValue<string>()).ToHashSet();
        foreach (var call in new[] { "unshare", "setns", "mount", "umount2", "pivot_root", "keyctl", "add_key", "request_key", "bpf", "open_tree", "move_mount" })
        {
            Assert.Contains(call, names);
        }

        var cloneRules = rules.Where(r => r!["names"]![0]!.GetValue<string>() == "clone").ToList();
        Assert.Equal(7, cloneRules.Count);
        Assert.All(cloneRules, r => Assert.Equal("SCMP_CMP_MASKED_EQ", r!["args"]![0]!["op"]!.GetValue<string>()));
        Assert.Equal(38, rules.Single(r => r!["names"]![0]!.GetValue<string>() == "clone3")!["errnoRet"]!.GetValue<int>());
    }
}
