using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Paddock.Testing.Servers;

namespace Paddock.Client.Tests;

/// <summary>
/// The SDK as a library in an application: registered with AddPaddock (options, IHttpClientFactory, ILogger), traced
/// and measured for OpenTelemetry, retrying what is safe to retry, and fakeable in the application's own tests.
/// </summary>
[Collection(SdkCollection.Name)]
public sealed class DependencyInjectionTests(LiveServer live)
{
    [Fact]
    public async Task AddPaddock_GivesATypedClient_ThatLogs_TracesAndMeasures_WithItsUserAgent()
    {
        var logs = new LogSink();
        var seen = new RecordingHandler();
        var services = new ServiceCollection()
            .AddLogging(logging => logging.SetMinimumLevel(LogLevel.Debug).AddProvider(logs));
        services.AddPaddock(options =>
        {
            options.ApiUrl = live.Server.BaseAddress;
            options.ApiKey = ServerProcess.ApiKey;
        }).AddHttpMessageHandler(() => seen);
        await using var provider = services.BuildServiceProvider();

        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ClientTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        var durations = new ConcurrentQueue<(double Seconds, string Operation)>();
        using var meters = new MeterListener { InstrumentPublished = (instrument, l) => { if (instrument.Meter.Name == ClientTelemetry.Name) l.EnableMeasurementEvents(instrument); } };
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == "paddock.client.request.duration")
            {
                durations.Enqueue((value, tags.ToArray().First(t => t.Key == "operation").Value as string ?? string.Empty));
            }
        });
        meters.Start();

        var client = provider.GetRequiredService<ISandboxClient>();
        await using (var sandbox = await client.CreateAsync())
        {
            Assert.Equal(SandboxState.Running, (await client.GetInfoAsync(sandbox.SandboxId)).State);
            Assert.Equal("through DI\n", (await sandbox.Commands.RunAsync("echo through DI")).Stdout);
        }

        Assert.Contains(spans, s => s.DisplayName == "paddock sandbox create" && s.GetTagItem("paddock.sandbox.id") is string);
        Assert.Contains(spans, s => s.DisplayName == "paddock POST sandboxes" && (int?)s.GetTagItem("http.response.status_code") == 201);
        Assert.Contains(spans, s => s.DisplayName == "paddock GET sandboxes/{id}");
        Assert.Contains(durations, d => d.Operation == "POST sandboxes" && d.Seconds > 0);
        Assert.Contains(logs.Lines, l => l.StartsWith("Debug POST sandboxes answered 201", StringComparison.Ordinal));
        Assert.All(seen.UserAgents, ua => Assert.StartsWith("paddock-dotnet-sdk/", ua, StringComparison.Ordinal));
        Assert.NotEmpty(seen.UserAgents);
    }

    [Fact]
    public async Task AddPaddock_BindsItsSettingsFromConfiguration()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Paddock:ApiUrl"] = live.Server.BaseAddress.ToString(),
            ["Paddock:ApiKey"] = ServerProcess.ApiKey,
            ["Paddock:RequestTimeout"] = "00:02:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddPaddock(configuration.GetSection("Paddock"));
        await using var provider = services.BuildServiceProvider();
        var client = provider.GetRequiredService<ISandboxClient>();
        Assert.Equal($"SandboxClient {live.Server.BaseAddress}", client.ToString());
        await using var sandbox = await client.CreateAsync(new SandboxOptions { Timeout = TimeSpan.FromMinutes(1), AutoPause = true });
        Assert.Equal("i", sandbox.ToString()["Sandbox ".Length..][..1]);
    }

    [Fact]
    public async Task IdempotentCalls_AreRetried_OnTransientFailures_ButACreateNever()
    {
        var flaky = new FlakyHandler(failures: 2) { InnerHandler = new SocketsHttpHandler() };
        var client = new SandboxClient(new HttpClient(flaky), live.Connection);
        var sandbox = await Sandbox.CreateAsync(live.Options());
        try
        {
            flaky.Reset(failures: 2);
            Assert.Equal(sandbox.SandboxId, (await client.GetInfoAsync(sandbox.SandboxId)).SandboxId);
            Assert.Equal(3, flaky.Attempts);

            flaky.Reset(failures: 1);
            await Assert.ThrowsAsync<SandboxConnectionException>(() => client.CreateAsync());
            Assert.Equal(1, flaky.Attempts);
        }
        finally
        {
            await sandbox.KillAsync();
        }
    }

    [Fact]
    public async Task KilledSandboxes_AreListedWhenAskedFor_WithTheirState_AndReadably()
    {
        var sandbox = await Sandbox.CreateAsync(live.Options(metadata: new Dictionary<string, string> { ["test"] = "killed-listing" }));
        await sandbox.KillAsync();
        var killed = new List<SandboxInfo>();
        await foreach (var info in Sandbox.List(new SandboxQuery { State = [SandboxState.Killed], Metadata = new Dictionary<string, string> { ["test"] = "killed-listing" } }, live.Connection))
        {
            killed.Add(info);
        }

        var listed = Assert.Single(killed);
        Assert.Equal(SandboxState.Killed, listed.State);
        Assert.Contains($"SandboxId = {sandbox.SandboxId}, State = Killed, Template = base", listed.ToString(), StringComparison.Ordinal);
        Assert.Contains("Metadata = { test = killed-listing }", listed.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplicationsCanFakeTheSdk_InTheirOwnTests()
    {
        ISandboxClient fake = new FakeClient();
        await using var sandbox = await fake.CreateAsync();
        Assert.Equal("ifake", sandbox.SandboxId);
        Assert.Equal("faked\n", (await sandbox.Commands.RunAsync("anything")).Stdout);
    }

    private sealed class FakeClient : SandboxClient
    {
        public FakeClient()
            : base(new HttpClient(), new ConnectionOptions { ApiKey = "e2b_fake" })
        {
        }

        public override Task<Sandbox> CreateAsync(SandboxOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult<Sandbox>(new FakeSandbox());
    }

    private sealed class FakeSandbox : Sandbox
    {
        public override string SandboxId => "ifake";

        public override Commands Commands { get; } = new FakeCommands();

        public override Task<bool> KillAsync(CancellationToken cancellationToken = default) => Task.FromResult(true);
    }

    private sealed class FakeCommands : Commands
    {
        public override Task<CommandResult> RunAsync(string command, CommandOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new CommandResult(0, "faked\n", string.Empty, null));
    }

    private sealed class LogSink : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {formatter(state, exception)}");
        }
    }

    private sealed class RecordingHandler : DelegatingHandler
    {
        public ConcurrentQueue<string> UserAgents { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            UserAgents.Enqueue(request.Headers.UserAgent.ToString());
            return base.SendAsync(request, cancellationToken);
        }
    }

    // Fails the first requests as an unreachable server would, then lets requests through.
    private sealed class FlakyHandler(int failures) : DelegatingHandler
    {
        private int _failuresLeft = failures;

        public int Attempts { get; private set; }

        public void Reset(int failures)
        {
            _failuresLeft = failures;
            Attempts = 0;
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Attempts++;
            return _failuresLeft-- > 0
                ? Task.FromException<HttpResponseMessage>(new HttpRequestException("Connection refused (simulated)", null, HttpStatusCode.ServiceUnavailable))
                : base.SendAsync(request, cancellationToken);
        }
    }
}
