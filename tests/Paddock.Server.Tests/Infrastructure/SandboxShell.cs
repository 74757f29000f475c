using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Infrastructure;

/// <summary>
/// Runs commands inside a sandbox with <c>crun exec</c>, the way an operator would, to check what the
/// API cannot show yet (processes, limits, isolation).
/// </summary>
internal sealed class SandboxShell(ServerProcess server)
{
    public async Task<string> ExecAsync(string sandboxId, string script, bool asUser = false)
    {
        var args = new List<string> { "--root", server.CrunRoot, "exec" };
        if (asUser)
        {
            args.AddRange(["--user", "1000:1000"]);
        }

        args.AddRange([sandboxId, "/bin/sh", "-c", script]);
        var (exitCode, output) = await Host.RunAsync("crun", [.. args]);
        return $"{output.TrimEnd()}\nexit={exitCode}";
    }

    /// <summary>Starts a background process in the sandbox that holds no pipe to the test.</summary>
    public async Task StartBackgroundAsync(string sandboxId, string script, bool asUser = false)
    {
        string[] user = asUser ? ["--user", "1000:1000", "--cwd", "/home/user"] : [];
        var (exitCode, output) = await Host.RunAsync(
            "/bin/sh", ["-c", "exec \"$@\" </dev/null >/dev/null 2>&1", "sh",
            "crun", "--root", server.CrunRoot, "exec", "--detach", .. user, sandboxId, "/bin/sh", "-c", script]);
        Assert.True(exitCode == 0, output);
    }

    /// <summary>Waits until something in the sandbox listens on <paramref name="port"/> (TCP, any address).</summary>
    public Task WaitForListenerAsync(string sandboxId, int port) => Eventually.TrueAsync(
        async () => (await ExecAsync(sandboxId, $"awk '$4 == \"0A\" {{ print $2 }}' /proc/net/tcp /proc/net/tcp6 | grep -qi ':{port:X4}$'"))
            .EndsWith("exit=0", StringComparison.Ordinal),
        $"a listener on port {port} of sandbox {sandboxId}");

    public async Task<string> ContainerStatusAsync(string sandboxId)
    {
        var (exitCode, output) = await Host.RunAsync("crun", "--root", server.CrunRoot, "state", sandboxId);
        return exitCode != 0 ? "absent" : System.Text.Json.JsonDocument.Parse(output).RootElement.GetProperty("status").GetString()!;
    }

    /// <summary>Reads a file of the sandbox's writable layer from the host (works while it is frozen).</summary>
    public async Task<string> ReadUpperFileAsync(string sandboxId, string pathInSandbox)
    {
        var path = Path.Combine(server.DataDir, "sandboxes", sandboxId, "upper", pathInSandbox.TrimStart('/'));
        var text = string.Empty;
        await Eventually.TrueAsync(
            async () => (text = File.Exists(path) ? (await File.ReadAllTextAsync(path)).Trim() : string.Empty).Length > 0,
            $"{pathInSandbox} to be written in sandbox {sandboxId}");
        return text;
    }
}
