using System.Text.Json.Nodes;

namespace Paddock.Runtime.Crun;

/// <summary>
/// The seccomp filter of every sandbox: system calls that would let code inside reach past its
/// namespaces (new namespaces, mounts, kernel keyrings, BPF, module loading, kexec, clock and host
/// administration) fail with EPERM; <c>clone</c> is refused when asked for namespace flags;
/// <c>clone3</c> fails with ENOSYS, so libc falls back to <c>clone</c> whose flags the filter can see.
/// </summary>
internal static class SeccompProfile
{
    private const int Eperm = 1;
    private const int Enosys = 38;

    // CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET
    private static readonly long[] s_cloneNamespaceFlags = [0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000, 0x20000000, 0x40000000];

    private static readonly string[] s_denied =
    [
        // namespaces and mounts
        "unshare", "setns", "mount", "umount", "umount2", "pivot_root",
        "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
        "open_by_handle_at", "name_to_handle_at",
        // kernel keyrings
        "keyctl", "add_key", "request_key",
        // kernel attack surface
        "bpf", "perf_event_open", "userfaultfd", "kexec_load", "kexec_file_load",
        "init_module", "finit_module", "delete_module", "create_module", "query_module", "get_kernel_syms",
        "lookup_dcookie", "nfsservctl", "uselib", "vm86", "vm86old", "iopl", "ioperm",
        "io_uring_setup", "io_uring_enter", "io_uring_register",
        // host administration
        "syslog", "swapon", "swapoff", "reboot", "quotactl", "quotactl_fd", "acct",
        "settimeofday", "clock_settime", "clock_settime64", "clock_adjtime", "clock_adjtime64", "adjtimex", "stime",
        "sethostname", "setdomainname",
    ];

    public static JsonObject Build()
    {
        var rules = new JsonArray(
            new JsonObject
            {
                ["names"] = new JsonArray(s_denied.Select(n => (JsonNode)n).ToArray()),
                ["action"] = "SCMP_ACT_ERRNO",
                ["errnoRet"] = Eperm,
            },
            new JsonObject
            {
                ["names"] = new JsonArray("clone3"),
                ["action"] = "SCMP_ACT_ERRNO",
                ["errnoRet"] = Enosys,
            });

        // One rule per flag: rules for one call are OR'ed, and "any of these bits" is not one comparison.
        foreach (var flag in s_cloneNamespaceFlags)
        {
            rules.Add(new JsonObject
            {
                ["names"] = new JsonArray("clone"),
                ["action"] = "SCMP_ACT_ERRNO",
                ["errnoRet"] = Eperm,
                ["args"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["value"] = flag,
                    ["valueTwo"] = flag,
                    ["op"] = "SCMP_CMP_MASKED_EQ",
                }),
            });
        }

        return new JsonObject
        {
            ["defaultAction"] = "SCMP_ACT_ALLOW",
            ["architectures"] = new JsonArray("SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"),
            ["syscalls"] = rules,
        };
    }

    public static IReadOnlyList<string> DeniedCalls => s_denied;
}
