using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Paddock.Bench;

/// <summary>A Paddock server process for the benchmark, and the API calls it times.</summary>
internal sealed class PaddockServer : IAsyncDisposable
{
    internal const string ApiKey = "e2b_0bec0bec0bec0bec0bec0bec0bec0bec0bec0bec";

    private readonly Process _process;
    private readonly HttpClient _http;

    private PaddockServer(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(15) };
        _http.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
    }

    public Uri Address { get; }

    public static async Task<PaddockServer> StartAsync(string dataDir, string templatesDir, string crunRoot, string agentPath)
    {
        int port;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            port = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardInput = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Paddock.Server.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add($"http://127.0.0.1:{port}");
        info.Environment["PADDOCK_DATA_DIR"] = dataDir;
        info.Environment["PADDOCK_TEMPLATES_DIR"] = templatesDir;
        info.Environment["PADDOCK_CRUN_ROOT"] = crunRoot;
        info.Environment["PADDOCK_API_KEY"] = ApiKey;
        info.Environment["PADDOCK_AGENT_PATH"] = agentPath;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        var server = new PaddockServer(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}"));
        for (var i = 0; i < 600; i++)
        {
            try
            {
                if ((await server._http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the Paddock server did not start");
    }

    /// <summary>Creates a sandbox; the 201 arrives once it runs.</summary>
    public async Task<string> CreateAsync() => (await CreateWithTokenAsync()).Id;

    /// <summary>Creates a sandbox and returns its id and the access token its agent wants.</summary>
    public async Task<(string Id, string AccessToken)> CreateWithTokenAsync(string template = "base")
    {
        using var response = await _http.PostAsJsonAsync("/v2/sandboxes", new { templateID = template, timeout = 600 });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("sandboxID").GetString()!, body.RootElement.GetProperty("envdAccessToken").GetString()!);
    }

    public async Task PostAsync(string path, object? body = null)
    {
        using var response = await _http.PostAsJsonAsync(path, body ?? new { });
        response.EnsureSuccessStatusCode();
    }

    public async Task KillAsync(string id)
    {
        using var response = await _http.DeleteAsync($"/sandboxes/{id}");
        response.EnsureSuccessStatusCode();
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        // SIGTERM: a clean stop releases the template mounts of an idle data dir.
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
