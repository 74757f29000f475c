using System.Diagnostics;
using System.Net;
using System.Text;
using Paddock.Testing.Servers;

namespace Paddock.Cli.Tests;

/// <summary>
/// The CLI as users get it: packed as a dotnet tool, installed from the package into an empty tool path
/// and NuGet cache, then `paddock server` runs sandboxes with the agent the package carries (no
/// PADDOCK_AGENT_PATH), and stopping the CLI stops the server.
/// </summary>
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("paddock-tool-").FullName;

    public ToolPackageTests()
    {
        // The data dir lives in here: sandboxes' root (an unprivileged uid) must be able to pass through.
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
    }

    private string CrunRoot => $"/run/paddock-test/{Path.GetFileName(_dir)}";

    public void Dispose()
    {
        if (Directory.Exists(CrunRoot) && !Directory.EnumerateFileSystemEntries(CrunRoot).Any())
        {
            Directory.Delete(CrunRoot);
        }

        if (Host.MountPointsUnder(_dir).Count == 0)
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task PackedTool_Installs_AndItsServerRunsSandboxes_WithTheBundledAgent()
    {
        Host.RequireRootAndCrun();
        var repo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ServerProcess.AgentPath)!, "..", ".."));
        await RunAsync("dotnet", ["pack", Path.Combine(repo, "src", "Paddock.Cli"), "-c", "Release", "-o", Path.Combine(_dir, "nupkg"),
            $"-p:PaddockAgentDir={Path.GetDirectoryName(ServerProcess.AgentPath)}", "--nologo", "-v", "quiet"]);
        await RunAsync("dotnet", ["tool", "install", "--tool-path", Path.Combine(_dir, "tool"), "--add-source", Path.Combine(_dir, "nupkg"), "Paddock.Cli"],
            new() { ["NUGET_PACKAGES"] = Path.Combine(_dir, "packages") });
        var paddock = Path.Combine(_dir, "tool", "paddock");

        var port = new Uri($"http://127.0.0.1:{FreePort()}");
        var log = new StringBuilder();
        var server = Start(paddock, ["server", "--urls", port.ToString().TrimEnd('/')], new()
        {
            ["PADDOCK_DATA_DIR"] = Path.Combine(_dir, "data"),
            ["PADDOCK_TEMPLATES_DIR"] = ServerProcess.TemplatesDir,
            ["PADDOCK_CRUN_ROOT"] = CrunRoot,
            ["PADDOCK_API_KEY"] = ServerProcess.ApiKey,
            ["PADDOCK_NETWORK_ENABLED"] = "false",
        }, log);
        try
        {
            await ServerProcess.WaitForHealthAsync(port, server, () => Snapshot(log));
            var client = new Dictionary<string, string> { ["PADDOCK_API_URL"] = port.ToString(), ["PADDOCK_API_KEY"] = ServerProcess.ApiKey };
            var id = (await RunAsync(paddock, ["sandbox", "create"], client)).Trim();
            Assert.Equal("from the tool\n", await RunAsync(paddock, ["sandbox", "exec", id, "--", "echo", "from the tool"], client));
            await RunAsync(paddock, ["sandbox", "kill", id], client);
        }
        finally
        {
            // SIGTERM to the CLI alone, as a service manager sends it: the server behind it must stop too.
            Host.Signal(server.Id, 15);
            await server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        await Assert.ThrowsAsync<HttpRequestException>(() => http.GetAsync(new Uri(port, "/health")));
        Assert.Empty(Host.MountPointsUnder(_dir));
    }

    /// <summary>
    /// The README's commands on a fresh clone (of the commit under test): packing publishes the agent, which no
    /// earlier build has restored there, and the package installs as a tool that runs.
    /// </summary>
    [Fact]
    public async Task Pack_OnAFreshClone_AsTheReadmeSays_MakesAToolWithTheAgent()
    {
        var repo = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(ServerProcess.AgentPath)!, "..", ".."));
        var clone = Path.Combine(_dir, "clone");
        var commit = (await RunAsync("git", ["-C", repo, "rev-parse", "HEAD"])).Trim();
        await RunAsync("git", ["clone", "--quiet", "--no-checkout", repo, clone]);
        await RunAsync("git", ["-C", clone, "checkout", "--quiet", commit]);

        await RunAsync("dotnet", ["pack", Path.Combine(clone, "src", "Paddock.Cli"), "-o", Path.Combine(clone, "nupkg"), "--nologo"], within: TimeSpan.FromMinutes(20));
        var package = Assert.Single(Directory.GetFiles(Path.Combine(clone, "nupkg"), "Paddock.Cli.*.nupkg"));
        using (var zip = System.IO.Compression.ZipFile.OpenRead(package))
        {
            Assert.Contains(zip.Entries, e => e.FullName.EndsWith("/agent/paddock-agent", StringComparison.Ordinal));
        }

        await RunAsync("dotnet", ["tool", "install", "--tool-path", Path.Combine(_dir, "tool"), "--add-source", Path.Combine(clone, "nupkg"), "Paddock.Cli"],
            new() { ["NUGET_PACKAGES"] = Path.Combine(_dir, "packages") });
        Assert.Contains("sandbox", await RunAsync(Path.Combine(_dir, "tool", "paddock"), ["--help"]), StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Process Start(string file, string[] args, Dictionary<string, string> environment, StringBuilder log)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(log, e.Data);
        process.ErrorDataReceived += (_, e) => Append(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static void Append(StringBuilder log, string? line)
    {
        lock (log)
        {
            log.AppendLine(line);
        }
    }

    private static async Task<string> RunAsync(string file, string[] args, Dictionary<string, string>? environment = null, TimeSpan? within = null)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? [])
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(within ?? TimeSpan.FromMinutes(5));
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', args)} exited with {process.ExitCode}:\n{await stdout}\n{await stderr}");
        return await stdout;
    }

    private static string Snapshot(StringBuilder log)
    {
        lock (log)
        {
            return log.ToString();
        }
    }
}
