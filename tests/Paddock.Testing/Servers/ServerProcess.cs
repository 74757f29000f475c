using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Paddock.Testing.Servers;

/// <summary>
/// A real Paddock server process on a free loopback port with its own data dir and crun state dir.
/// Templates come from the shared cache (<c>/var/lib/paddock/templates</c>, or PADDOCK_TEST_TEMPLATES_DIR),
/// so the base template is built once per machine, not once per test.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string ApiKey = "e2b_0123456789abcdef0123456789abcdef01234567";

    private readonly StringBuilder _log = new();
    private readonly Dictionary<string, string> _environment;
    private Process? _process;

    private readonly bool _fixedKey;

    public ServerProcess(string? dataDir = null, Dictionary<string, string>? environment = null, bool fixedKey = true)
    {
        _fixedKey = fixedKey;
        Host.RequireRootAndCrun();
        DataDir = dataDir ?? Directory.CreateTempSubdirectory("paddock-test-").FullName;
        CrunRoot = $"/run/paddock-test/{Path.GetFileName(DataDir)}";
        _environment = environment ?? [];
        BaseAddress = new Uri($"http://127.0.0.1:{FreePort()}");
    }

    public string DataDir { get; }

    public string CrunRoot { get; }

    /// <summary>The server's address; it stays the same across restarts.</summary>
    public Uri BaseAddress { get; }

    public int Pid => _process?.Id ?? 0;

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>The Native AOT agent the test script publishes to <c>artifacts/agent</c>.</summary>
    public static string AgentPath
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Paddock.sln")))
                {
                    var agent = Path.Combine(dir.FullName, "artifacts", "agent", "paddock-agent");
                    return File.Exists(agent)
                        ? agent
                        : throw new InvalidOperationException($"{agent} is missing: run dotnet publish src/Paddock.Agent -c Release -o artifacts/agent (scripts/test.sh does).");
                }
            }

            throw new InvalidOperationException("the repository root (Paddock.sln) was not found above the test binaries");
        }
    }

    public static string TemplatesDir =>
        Environment.GetEnvironmentVariable("PADDOCK_TEST_TEMPLATES_DIR") is { Length: > 0 } dir ? dir : "/var/lib/paddock/templates";

    public async Task StartAsync()
    {
        var server = Path.Combine(AppContext.BaseDirectory, "Paddock.Server.dll");
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { server, "--urls", BaseAddress.ToString().TrimEnd('/') })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["PADDOCK_DATA_DIR"] = DataDir;
        info.Environment["PADDOCK_TEMPLATES_DIR"] = TemplatesDir;
        info.Environment["PADDOCK_CRUN_ROOT"] = CrunRoot;
        info.Environment["PADDOCK_AGENT_PATH"] = AgentPath;
        // Sandbox traffic never goes to the machine's real uplink: tests that need a network bring their own.
        info.Environment["PADDOCK_NETWORK_ENABLED"] = "false";
        if (_fixedKey)
        {
            info.Environment["PADDOCK_API_KEY"] = ApiKey;
        }

        foreach (var (key, value) in _environment)
        {
            info.Environment[key] = value;
        }

        _process = Process.Start(info)!;
        _process.StandardInput.Close();
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitForHealthAsync(BaseAddress, _process, () => Log);
    }

    /// <summary>Waits until a server process answers <c>GET /health</c>; fails with its log if it exits or takes 60 s.</summary>
    public static async Task WaitForHealthAsync(Uri address, Process process, Func<string> log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode}:\n{log()}");
            }

            try
            {
                if ((await http.GetAsync(new Uri(address, "/health"))).StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the server did not answer /health within 60 s:\n{log()}");
            }

            await Task.Delay(100);
        }
    }

    public ApiClient Client(string? apiKey = null) => new(BaseAddress, apiKey ?? ApiKey);

    /// <summary>Stops the server with SIGTERM (graceful) or SIGKILL (a crash), and waits for it to exit.</summary>
    public async Task StopAsync(bool crash = false)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        Host.Signal(_process.Id, crash ? 9 : 15);
        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
        _process = null;
    }

    /// <summary>Kills every sandbox left, stops the server and removes the data dir.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            using var client = Client();
            foreach (var state in new[] { "running", "paused" })
            {
                var list = await client.GetAsync($"/v2/sandboxes?state={state}");
                foreach (var sandbox in list.Json.EnumerateArray())
                {
                    await client.DeleteAsync($"/sandboxes/{sandbox.GetProperty("sandboxID").GetString()}");
                }
            }

            await StopAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(CrunRoot) && !Directory.EnumerateFileSystemEntries(CrunRoot).Any())
        {
            Directory.Delete(CrunRoot);
        }

        if (Directory.Exists(DataDir) && Host.MountPointsUnder(DataDir).Count == 0)
        {
            Directory.Delete(DataDir, recursive: true);
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            _log.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
