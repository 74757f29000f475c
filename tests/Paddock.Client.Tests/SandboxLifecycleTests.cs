using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Client.Tests;

/// <summary>The lifecycle guide's semantics through the SDK, against a real server.</summary>
[Collection(SdkCollection.Name)]
public sealed class SandboxLifecycleTests(LiveServer live)
{
    [Fact]
    public async Task Create_DefaultsToFiveMinutes_AndGetInfoHasEveryField()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options(metadata: new Dictionary<string, string> { ["owner"] = "sdk" }));
        var info = await sandbox.GetInfoAsync();
        Assert.Equal(sandbox.SandboxId, info.SandboxId);
        Assert.Equal("base", info.TemplateId);
        Assert.Equal(TimeSpan.FromSeconds(300), info.EndAt - info.StartedAt);
        Assert.Equal(SandboxState.Running, info.State);
        Assert.Equal("sdk", info.Metadata["owner"]);
        Assert.True(info.CpuCount > 0 && info.MemoryMB > 0);
        Assert.Equal("0.6.13", sandbox.EnvdVersion);
    }

    [Fact]
    public async Task NetworkRules_AreKept_Reported_AndReplacedWhole()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options() with
        {
            AllowInternetAccess = false,
            Network = new SandboxNetwork { AllowOut = ["api.example.com"], DenyOut = [SandboxNetwork.AllTraffic] },
        });
        var info = await sandbox.GetInfoAsync();
        Assert.False(info.AllowInternetAccess);
        Assert.Equal(["api.example.com"], info.Network!.AllowOut);

        // The test server gives sandboxes no network (so internet access stays false); the rules are kept all the same.
        await sandbox.UpdateNetworkAsync(new SandboxNetwork { DenyOut = ["8.8.8.8"] }, allowInternetAccess: true);
        info = await sandbox.GetInfoAsync();
        Assert.False(info.AllowInternetAccess);
        Assert.Empty(info.Network!.AllowOut);
        Assert.Equal(["8.8.8.8"], info.Network.DenyOut);

        var bad = await Assert.ThrowsAsync<InvalidArgumentException>(() => sandbox.UpdateNetworkAsync(new SandboxNetwork { DenyOut = ["example.com"] }));
        Assert.Contains("invalid denied CIDR example.com", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrivatePorts_AskForTheTrafficToken_WhichTheSdkHasAndSends_AndTheIngressSettingsAreReported()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options() with
        {
            AllowPublicTraffic = false,
            MaskRequestHost = "app.internal:${PORT}",
            HttpsPorts = [8443],
        });
        Assert.Matches("^[0-9a-f]{64}$", sandbox.TrafficAccessToken);
        var info = await sandbox.GetInfoAsync();
        Assert.False(info.AllowPublicTraffic);
        Assert.Equal("app.internal:${PORT}", info.MaskRequestHost);
        Assert.Equal([8443], info.HttpsPorts);

        // A server in the sandbox that answers with the Host it was sent; the daemon's port asks for no traffic token.
        await sandbox.Files.WriteAsync("/tmp/host.py", """
            import http.server
            class Echo(http.server.BaseHTTPRequestHandler):
                def do_GET(self):
                    body = (self.headers.get('Host') or '').encode()
                    self.send_response(200)
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
            http.server.ThreadingHTTPServer(('127.0.0.1', 8080), Echo).serve_forever()
            """);
        await sandbox.Commands.StartAsync("python3 /tmp/host.py");

        using var http = new HttpClient();
        async Task<HttpResponseMessage> ToPortAsync(string? token)
        {
            for (var attempt = 0; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, live.Connection.ApiUrl);
                request.Headers.Add("E2b-Sandbox-Id", sandbox.SandboxId);
                request.Headers.Add("E2b-Sandbox-Port", "8080");
                if (token is not null)
                {
                    request.Headers.Add("e2b-traffic-access-token", token);
                }

                var response = await http.SendAsync(request);
                if (response.StatusCode != System.Net.HttpStatusCode.BadGateway || attempt > 100)
                {
                    return response;
                }

                response.Dispose();
                await Task.Delay(100);
            }
        }

        using var refused = await ToPortAsync(null);
        Assert.Equal(System.Net.HttpStatusCode.Forbidden, refused.StatusCode);
        using var allowed = await ToPortAsync(sandbox.TrafficAccessToken);
        Assert.Equal("app.internal:8080", await allowed.Content.ReadAsStringAsync());

        // The code interpreter's port is one of the sandbox's: the SDK sends the token there itself.
        Assert.Equal("2", (await sandbox.RunCodeAsync("1+1")).Text);

        // Connecting by id gets the token too.
        var again = await Sandbox.ConnectAsync(sandbox.SandboxId, connection: live.Connection);
        Assert.Equal(sandbox.TrafficAccessToken, again.TrafficAccessToken);
    }

    [Fact]
    public async Task SetTimeout_CountsFromNow_ShorterOrLonger()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options(TimeSpan.FromSeconds(60)));
        await sandbox.SetTimeoutAsync(TimeSpan.FromSeconds(30));
        var left = (await sandbox.GetInfoAsync()).EndAt - DateTimeOffset.UtcNow;
        Assert.InRange(left.TotalSeconds, 27, 31);

        await sandbox.SetTimeoutAsync(TimeSpan.FromMinutes(10));
        left = (await sandbox.GetInfoAsync()).EndAt - DateTimeOffset.UtcNow;
        Assert.InRange(left.TotalSeconds, 597, 601);
    }

    [Fact]
    public async Task Kill_ThenGone_AndKillById_IsFalseForAGoneSandbox()
    {
        var sandbox = await Sandbox.CreateAsync(live.Options());
        Assert.True(await sandbox.KillAsync());
        Assert.False(await Sandbox.KillAsync(sandbox.SandboxId, live.Connection));
        await Assert.ThrowsAsync<SandboxNotFoundException>(() => sandbox.GetInfoAsync());
        Assert.False(await sandbox.IsRunningAsync());
    }

    [Fact]
    public async Task AwaitUsing_KillsTheSandbox()
    {
        string id;
        await using (var sandbox = await Sandbox.CreateAsync(live.Options()))
        {
            id = sandbox.SandboxId;
            Assert.True(await sandbox.IsRunningAsync());
        }

        await Assert.ThrowsAsync<SandboxNotFoundException>(() => Sandbox.ConnectAsync(id, connection: live.Connection));
    }

    [Fact]
    public async Task Pause_ThenConnect_Resumes_KeepingFiles()
    {
        await using var sandbox = await Sandbox.CreateAsync(live.Options());
        await sandbox.Files.WriteAsync("kept.txt", "across the pause");
        Assert.True(await sandbox.BetaPauseAsync());
        Assert.False(await sandbox.PauseAsync());
        Assert.Equal(SandboxState.Paused, (await sandbox.GetInfoAsync()).State);
        Assert.False(await sandbox.IsRunningAsync());

        var resumed = await Sandbox.ConnectAsync(sandbox.SandboxId, connection: live.Connection);
        Assert.Equal(SandboxState.Running, (await resumed.GetInfoAsync()).State);
        Assert.Equal("across the pause", await resumed.Files.ReadAsync("kept.txt"));
    }

    [Fact]
    public async Task BetaCreate_WithAutoPause_PausesAtTheTimeout()
    {
        await using var sandbox = await Sandbox.BetaCreateAsync(autoPause: true, live.Options(TimeSpan.FromSeconds(2)));
        await Eventually.TrueAsync(async () => (await sandbox.GetInfoAsync()).State == SandboxState.Paused, "the sandbox to pause at its timeout");
    }

    [Fact]
    public async Task List_FiltersByStateAndMetadata_AndPages()
    {
        var run = Guid.NewGuid().ToString("N");
        var metadata = new Dictionary<string, string> { ["run"] = run, ["needs encoding"] = "a&b=c/ü" };
        await using var first = await Sandbox.CreateAsync(live.Options(metadata: metadata));
        await using var second = await Sandbox.CreateAsync(live.Options(metadata: metadata));
        await second.PauseAsync();

        var running = await Sandbox.List(new SandboxQuery { State = [SandboxState.Running], Metadata = metadata }, live.Connection).NextItemsAsync();
        Assert.Equal([first.SandboxId], running.Select(s => s.SandboxId));

        var pages = Sandbox.List(new SandboxQuery { Metadata = metadata, Limit = 1 }, live.Connection);
        var seen = new List<string>();
        while (pages.HasNext)
        {
            var page = await pages.NextItemsAsync();
            Assert.True(page.Count <= 1);
            seen.AddRange(page.Select(s => s.SandboxId));
        }

        Assert.Equal([second.SandboxId, first.SandboxId], seen);

        var all = new List<string>();
        await foreach (var info in Sandbox.List(new SandboxQuery { Metadata = metadata }, live.Connection))
        {
            all.Add(info.SandboxId);
        }

        Assert.Equal(seen, all);
    }

    [Fact]
    public async Task Errors_AreTyped()
    {
        await Assert.ThrowsAsync<SandboxAuthenticationException>(() =>
            Sandbox.CreateAsync(new SandboxOptions { Connection = live.Connection with { ApiKey = "e2b_" + new string('0', 40) } }));
        // An unknown template is a bad argument of the create (the documented type), not a missing sandbox.
        var template = await Assert.ThrowsAsync<InvalidArgumentException>(() =>
            Sandbox.CreateAsync(new SandboxOptions { Connection = live.Connection, Template = "no-such-template" }));
        Assert.Contains("no-such-template", template.Message, StringComparison.Ordinal);
        var invalid = await Assert.ThrowsAsync<InvalidArgumentException>(() => Sandbox.CreateAsync(live.Options(TimeSpan.FromDays(30))));
        Assert.Equal(400, invalid.StatusCode);
    }

    [Fact]
    public void Configuration_FallsBackToE2bVariables()
    {
        Environment.SetEnvironmentVariable("PADDOCK_API_URL", null);
        Environment.SetEnvironmentVariable("PADDOCK_API_KEY", null);
        Environment.SetEnvironmentVariable("E2B_API_URL", "http://127.0.0.1:1234");
        Environment.SetEnvironmentVariable("E2B_API_KEY", "e2b_from_env");
        try
        {
            var resolved = ConnectionOptions.FromEnvironment().Resolve();
            Assert.Equal(new Uri("http://127.0.0.1:1234/"), resolved.ApiUrl);
            Assert.Equal("e2b_from_env", resolved.ApiKey);

            Environment.SetEnvironmentVariable("PADDOCK_API_KEY", "e2b_paddock_first");
            Assert.Equal("e2b_paddock_first", ConnectionOptions.FromEnvironment().Resolve().ApiKey);
        }
        finally
        {
            foreach (var name in new[] { "E2B_API_URL", "E2B_API_KEY", "PADDOCK_API_KEY" })
            {
                Environment.SetEnvironmentVariable(name, null);
            }
        }
    }

    [Fact]
    public void WithNoAddress_TheSdkTalksToThisMachine_NeverToAnotherService()
    {
        var saved = new[] { "PADDOCK_API_URL", "E2B_API_URL", "E2B_SANDBOX_URL", "E2B_DOMAIN" }.ToDictionary(n => n, Environment.GetEnvironmentVariable);
        foreach (var name in saved.Keys)
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        try
        {
            var local = new ConnectionOptions { ApiKey = "e2b_key" }.Resolve();
            Assert.Equal(ConnectionOptions.DefaultApiUrl, local.ApiUrl);
            Assert.Equal(new Uri("http://127.0.0.1:3000/"), local.SandboxBase("isandbox", 49983));

            // E2B's cloud only when named.
            var cloud = new ConnectionOptions { ApiKey = "e2b_key", Domain = "e2b.app" }.Resolve();
            Assert.Equal(new Uri("https://api.e2b.app/"), cloud.ApiUrl);
            Assert.Equal(new Uri("https://49983-isandbox.e2b.app/"), cloud.SandboxBase("isandbox", 49983));
            Environment.SetEnvironmentVariable("E2B_DOMAIN", "e2b.app");
            Assert.Equal(new Uri("https://api.e2b.app/"), new ConnectionOptions { ApiKey = "e2b_key" }.Resolve().ApiUrl);
        }
        finally
        {
            foreach (var (name, value) in saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }

    [Fact]
    public async Task AServerThatIsDown_IsASandboxConnectionException()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var down = new ConnectionOptions { ApiUrl = new Uri($"http://127.0.0.1:{port}"), ApiKey = ServerProcess.ApiKey };
        var error = await Assert.ThrowsAsync<SandboxConnectionException>(() => Sandbox.CreateAsync(new SandboxOptions { Connection = down }));
        Assert.Contains($"127.0.0.1:{port}", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<SandboxException>(error);
        await Assert.ThrowsAsync<SandboxConnectionException>(() => Sandbox.GetInfoAsync("isandbox", down));
    }

    [Fact]
    public void Timeouts_AreTimeoutExceptions_AndEveryFailureIsAnISandboxError()
    {
        Exception timeout = new SandboxTimeoutException("late");
        Assert.IsAssignableFrom<TimeoutException>(timeout);
        Assert.IsAssignableFrom<ISandboxError>(timeout);
        Assert.IsAssignableFrom<ISandboxError>(new SandboxPausedException("paused"));
        Assert.IsAssignableFrom<SandboxException>(new SandboxAuthenticationException("no"));

        var failed = new CommandExitException(new CommandResult(4, "out\n", "line one\nNo such file or directory\n", null));
        Assert.Equal("the command failed: exit status 4; stderr: line one\nNo such file or directory", failed.Message);
    }
}
