using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>What code inside a sandbox can and cannot do, checked from inside a real sandbox.</summary>
[Collection(ContainersCollection.Name)]
public sealed class SandboxIsolationTests(SharedServer shared) : IAsyncLifetime
{
    private string _id = string.Empty;

    private SandboxShell Shell => shared.Shell;

    public async Task InitializeAsync() => _id = await shared.Client.CreateAsync();

    public async Task DisposeAsync() => await shared.Client.DeleteAsync($"/sandboxes/{_id}");

    [Fact]
    public async Task RootInside_IsAnUnprivilegedHostRange_OfItsOwn()
    {
        var other = await shared.Client.CreateAsync();
        try
        {
            var mine = await HostRangeAsync(_id);
            var theirs = await HostRangeAsync(other);
            Assert.InRange(mine, 1L << 30, (1L << 31) - 65536);
            Assert.InRange(theirs, 1L << 30, (1L << 31) - 65536);
            Assert.NotEqual(mine, theirs);
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{other}");
        }
    }

    [Fact]
    public async Task Init_IsTheAgent_AndTheUserAccountExists()
    {
        var output = await Shell.ExecAsync(_id, "stat -c %U /proc/1; readlink /proc/1/exe; hostname; id -u user; stat -c %U /home/user; getent passwd user | cut -d: -f6");
        Assert.Equal(["root", "/opt/paddock/paddock-agent", _id, "1000", "user", "/home/user", "exit=0"], output.Split('\n'));
    }

    [Fact]
    public async Task AgentBinary_IsReadOnly_AndNoOtherHostDirectoryIsMounted()
    {
        Assert.DoesNotContain("exit=0", await Shell.ExecAsync(_id, "touch /opt/paddock/paddock-agent"), StringComparison.Ordinal);

        // The channel comes as descriptors: no host directory but the agent's (read-only) is bound in.
        var binds = await Shell.ExecAsync(_id, "awk '$4 != \"/\" && $5 != \"/\" {print $5}' /proc/self/mountinfo | grep -v '^/proc\\|^/sys\\|^/dev' | sort");
        Assert.Equal(["/opt/paddock", "exit=0"], binds.Split('\n'));
        Assert.Contains("exit=1", await Shell.ExecAsync(_id, "test -e /run/paddock"), StringComparison.Ordinal);

        // The agent's settings (the access token) reach it as a descriptor it closes for its children.
        Assert.Contains("exit=1", await Shell.ExecAsync(_id, "grep -rl accessToken /run /tmp /etc /home /root 2>/dev/null"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_CannotSeeHostProcesses()
    {
        var output = await Shell.ExecAsync(_id, "ls /proc | grep -c '^[0-9]'");
        var count = int.Parse(output.Split('\n')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(count, 1, 6);
        Assert.DoesNotContain("dotnet", await Shell.ExecAsync(_id, "cat /proc/*/cmdline 2>/dev/null | tr '\\0' ' '"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sandbox_CannotSeeHostFiles()
    {
        var marker = $"/tmp/paddock-host-marker-{Guid.NewGuid():N}";
        await File.WriteAllTextAsync(marker, "host secret");
        try
        {
            Assert.Contains("exit=1", await Shell.ExecAsync(_id, $"test -e {marker}"), StringComparison.Ordinal);
            Assert.Contains("exit=1", await Shell.ExecAsync(_id, $"grep -rl 'host secret' /tmp /var /root /home 2>/dev/null"), StringComparison.Ordinal);
            Assert.Contains("exit=1", await Shell.ExecAsync(_id, $"test -e {shared.Server.DataDir}/paddock.db"), StringComparison.Ordinal);
            Assert.Contains("exit=1", await Shell.ExecAsync(_id, "test -e /var/lib/paddock/templates"), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(marker);
        }
    }

    [Fact]
    public async Task Sandbox_CannotReachAnotherSandboxsAgent()
    {
        var other = await shared.Client.CreateAsync();
        try
        {
            var otherChannel = Path.Combine(shared.Server.DataDir, "sandboxes", other);
            Assert.True(File.Exists(Path.Combine(otherChannel, "agent.sock")));

            // Neither the host path of the other channel nor any socket file at all exists inside.
            Assert.Contains("exit=1", await Shell.ExecAsync(_id, $"test -e {otherChannel}/agent.sock"), StringComparison.Ordinal);
            Assert.Equal("\nexit=0", await Shell.ExecAsync(_id, "find / -xdev -type s 2>/dev/null | sort"));
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{other}");
        }
    }

    [Fact]
    public async Task Network_IsLoopbackOnly()
    {
        Assert.Equal(["lo", "exit=0"], (await Shell.ExecAsync(_id, "ls /sys/class/net")).Split('\n'));
        var api = shared.Server.BaseAddress;
        var output = await Shell.ExecAsync(_id, $"curl -s -m 3 {api}health");
        Assert.DoesNotContain("OK", output.Split('\n')[0], StringComparison.Ordinal);
        Assert.DoesNotContain("exit=0", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("unshare -U true")]
    [InlineData("unshare -n true")]
    [InlineData("mount -t tmpfs none /mnt")]
    [InlineData("python3 -c 'import ctypes,sys; l=ctypes.CDLL(None); sys.exit(0 if l.syscall(250, 0, 0, 0, 0) >= 0 else 1)'")]
    public async Task Seccomp_DeniesNamespacesMountsAndKeyrings(string command)
    {
        // syscall 250 is keyctl on x86_64.
        Assert.DoesNotContain("exit=0", await Shell.ExecAsync(_id, command), StringComparison.Ordinal);
        Assert.Contains("Seccomp:\t2", await Shell.ExecAsync(_id, "grep Seccomp: /proc/self/status"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Processes_HaveTheDefaultCapabilityBound_EvenThroughSudo()
    {
        var status = await Shell.ExecAsync(_id, "grep -E '^CapBnd' /proc/1/status");
        Assert.Contains("CapBnd:\t00000000a80425fb", status, StringComparison.Ordinal);

        // As in E2B's sandboxes, the user has passwordless sudo; the root it reaches is the sandbox's own, with
        // the same capability bound and seccomp filter (namespace calls stay denied).
        var sudo = await Shell.ExecAsync(_id, "sudo -n id -u; sudo -n grep -E '^(CapBnd|Seccomp):' /proc/self/status; sudo -n unshare -U true || echo denied", asUser: true);
        Assert.StartsWith("0\n", sudo, StringComparison.Ordinal);
        Assert.Contains("CapBnd:\t00000000a80425fb", sudo, StringComparison.Ordinal);
        Assert.Contains("Seccomp:\t2", sudo, StringComparison.Ordinal);
        Assert.Contains("denied", sudo, StringComparison.Ordinal);
        Assert.Equal("Python 3", (await Shell.ExecAsync(_id, "python --version", asUser: true))[..8]);
    }

    [Fact]
    public async Task Cgroups_LimitMemoryPidsAndCpu()
    {
        Assert.Equal("536870912", (await File.ReadAllTextAsync($"/sys/fs/cgroup/memory/paddock/{_id}/memory.limit_in_bytes")).Trim());
        Assert.Equal("1024", (await File.ReadAllTextAsync($"/sys/fs/cgroup/pids/paddock/{_id}/pids.max")).Trim());
        Assert.Equal("200000", (await File.ReadAllTextAsync($"/sys/fs/cgroup/cpu/paddock/{_id}/cpu.cfs_quota_us")).Trim());

        // Allocating past the limit kills the allocator, not the host.
        var output = await Shell.ExecAsync(_id, "python3 -c 'b = bytearray(700 * 1024 * 1024); print(len(b))'");
        Assert.Contains("exit=137", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rootfs_IsPrivatePerSandbox()
    {
        var other = await shared.Client.CreateAsync();
        try
        {
            await Shell.ExecAsync(_id, "echo mine > /etc/only-here");
            Assert.Contains("exit=1", await Shell.ExecAsync(other, "test -e /etc/only-here"), StringComparison.Ordinal);
            Assert.Contains("mine", await Shell.ExecAsync(_id, "cat /etc/only-here"), StringComparison.Ordinal);
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{other}");
        }
    }

    private async Task<long> HostRangeAsync(string sandboxId)
    {
        var output = await Shell.ExecAsync(sandboxId, "cat /proc/self/uid_map /proc/self/gid_map");
        var maps = output.Split('\n').Where(l => !l.StartsWith("exit=", StringComparison.Ordinal)).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.Equal(2, maps.Count);
        Assert.All(maps, m => Assert.Equal(["0", maps[0][1], "65536"], m));
        return long.Parse(maps[0][1], System.Globalization.CultureInfo.InvariantCulture);
    }
}
