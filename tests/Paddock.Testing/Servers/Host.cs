using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Paddock.Testing.Servers;

/// <summary>What the container tests need from the host, and small host helpers.</summary>
public static partial class Host
{
    /// <summary>Fails loudly, with what is missing, instead of skipping.</summary>
    public static void RequireRootAndCrun()
    {
        if (GetEffectiveUserId() != 0)
        {
            throw new InvalidOperationException("These tests create real crun sandboxes and must run as root (sudo ./scripts/test.sh).");
        }

        if (!File.Exists("/usr/bin/crun") && !File.Exists("/usr/local/bin/crun"))
        {
            throw new InvalidOperationException("These tests need crun: apt-get install crun (./scripts/prerequisites.sh does it).");
        }
    }

    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, (await output) + (await error));
    }

    public static IReadOnlyList<string> MountPointsUnder(string root) =>
        File.ReadLines("/proc/self/mountinfo").Select(l => l.Split(' ')[4]).Where(p => p.StartsWith(root, StringComparison.Ordinal)).ToList();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
