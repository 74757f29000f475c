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

    private PaddockServer(Process process, Uri address, Uri? httpsAddress)
    {
        _process = process;
        Address = address;
        HttpsAddress = httpsAddress;
        _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(15) };
        _http.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
    }

    public Uri Address { get; }

    /// <summary>The server's pid.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The HTTPS address, when the server was started with a certificate.</summary>
    public Uri? HttpsAddress { get; }

    /// <summary>
    /// Starts a server; with <paramref name="tls"/> it also serves HTTPS with that PEM certificate and key, and
    /// routes sandbox traffic by host name under <paramref name="domain"/>; <paramref name="environment"/> adds settings.
    /// </summary>
    public static async Task<PaddockServer> StartAsync(string dataDir, string templatesDir, string crunRoot, string agentPath, string? domain = null, (string Certificate, string Key)? tls = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var httpsAddress = tls is null ? null : new Uri($"https://127.0.0.1:{FreePort()}");
        // A session of its own (setsid execs it, same pid): a Ctrl-C at the terminal is the benchmark's to handle, and
        // must not stop the server before the benchmark has deleted its sandboxes.
        var info = new ProcessStartInfo("setsid") { UseShellExecute = false, RedirectStandardInput = true };
        info.ArgumentList.Add("dotnet");
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Paddock.Server.dll"));
        info.ArgumentList.Add("--urls");
        info.ArgumentList.Add(httpsAddress is null ? $"http://127.0.0.1:{port}" : $"http://127.0.0.1:{port};{httpsAddress.ToString().TrimEnd('/')}");
        if (tls is { } pair)
        {
            info.Environment["PADDOCK_TLS_CERT"] = pair.Certificate;
            info.Environment["PADDOCK_TLS_KEY"] = pair.Key;
        }

        if (domain is not null)
        {
            info.Environment["PADDOCK_DOMAIN"] = domain;
        }

        info.Environment["PADDOCK_DATA_DIR"] = dataDir;
        info.Environment["PADDOCK_TEMPLATES_DIR"] = templatesDir;
        info.Environment["PADDOCK_CRUN_ROOT"] = crunRoot;
        info.Environment["PADDOCK_API_KEY"] = ApiKey;
        info.Environment["PADDOCK_AGENT_PATH"] = agentPath;
        info.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        var server = new PaddockServer(Process.Start(info)!, new Uri($"http://127.0.0.1:{port}"), httpsAddress);
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

    /// <summary>Creates a sandbox with a create body of the caller's; the 201 arrives once it runs.</summary>
    public async Task<string> CreateAsync(object body)
    {
        using var response = await _http.PostAsJsonAsync("/v2/sandboxes", body);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("sandboxID").GetString()!;
    }

    /// <summary>Creates a sandbox; the 201 arrives once it runs.</summary>
    public async Task<string> CreateAsync() => (await CreateWithTokenAsync()).Id;

    /// <summary>Creates a sandbox that lives <paramref name="timeoutSeconds"/> unless killed; returns its id and the access token its agent wants.</summary>
    public async Task<(string Id, string AccessToken)> CreateWithTokenAsync(string template = "base", int timeoutSeconds = 600)
    {
        using var response = await _http.PostAsJsonAsync("/v2/sandboxes", new { templateID = template, timeout = timeoutSeconds });
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return (body.RootElement.GetProperty("sandboxID").GetString()!, body.RootElement.GetProperty("envdAccessToken").GetString()!);
    }

    /// <summary>A POST whose JSON answer the caller reads.</summary>
    public async Task<JsonDocument> PostForJsonAsync(string path, object body)
    {
        using var response = await _http.PostAsJsonAsync(path, body);
        response.EnsureSuccessStatusCode();
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
