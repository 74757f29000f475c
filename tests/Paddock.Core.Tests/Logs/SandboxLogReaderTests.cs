using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Core.Logs;
using Paddock.Testing.Fakes;

namespace Paddock.Core.Tests.Logs;

public sealed class SandboxLogReaderTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 28, 12, 0, 0, TimeSpan.Zero));
    private readonly InMemorySandboxStore _store = new();
    private readonly FakeRuntime _runtime = new();
    private readonly InMemorySandboxLogStore _platformLog = new();
    private readonly LifecycleService _lifecycle;
    private readonly SandboxLogReader _reader;

    public SandboxLogReaderTests()
    {
        _lifecycle = new LifecycleService(
            _store, _runtime, new FakeTemplates(), new SandboxEvents(_platformLog, _time, NullLogger<SandboxEvents>.Instance),
            new RunningSandboxes(), new LifecycleOptions(), _time, NullLogger<LifecycleService>.Instance);
        _reader = new SandboxLogReader(_store, _platformLog, _runtime);
    }

    public void Dispose() => _lifecycle.Dispose();

    // A sandbox created at t0 whose agent logged at t0+1 s … t0+4 s (levels info, warn, info, error), then
    // killed at t0+5 s: six entries in all, interleaving the platform's and the agent's.
    private async Task<string> SandboxWithHistoryAsync()
    {
        var t0 = _time.GetUtcNow();
        var sandbox = await _lifecycle.CreateAsync(new CreateSandboxCommand { Template = "base", Timeout = TimeSpan.FromSeconds(300) }, CancellationToken.None);
        _runtime.Logs[sandbox.Id] =
        [
            Agent(t0.AddSeconds(1), SandboxLogLevel.Info, "Process started", ("cmd", "python app.py")),
            Agent(t0.AddSeconds(2), SandboxLogLevel.Warn, "Code kernel exited"),
            Agent(t0.AddSeconds(3), SandboxLogLevel.Info, "Process exited", ("status", "exit status 1")),
            Agent(t0.AddSeconds(4), SandboxLogLevel.Error, "Request failed"),
        ];
        _time.Advance(TimeSpan.FromSeconds(5));
        await _lifecycle.KillAsync(sandbox.Id, CancellationToken.None);
        return sandbox.Id;
    }

    private static SandboxLogEntry Agent(DateTimeOffset at, SandboxLogLevel level, string message, params (string Key, string Value)[] fields) =>
        new(at, level, message, fields.Append(("source", "agent")).ToDictionary(f => f.Item1, f => f.Item2));

    private Task<IReadOnlyList<SandboxLogEntry>> ReadAsync(string id, SandboxLogQuery query) => _reader.ReadAsync(id, query, CancellationToken.None);

    [Fact]
    public async Task Forward_MergesPlatformAndAgentEntries_InTimeOrder_AndOutlivesTheSandbox()
    {
        var id = await SandboxWithHistoryAsync();

        var log = await ReadAsync(id, new SandboxLogQuery());

        Assert.Equal(
            ["Sandbox created from template base in 0 ms", "Process started", "Code kernel exited", "Process exited", "Request failed", "Sandbox killed: killed by request"],
            log.Select(e => e.Message).ToArray());
        Assert.Equal(["paddock", "agent", "agent", "agent", "agent", "paddock"], log.Select(e => e.Fields["source"]).ToArray());
    }

    [Fact]
    public async Task Backward_IsNewestFirst_FromTheCursor_AndStopsAtTheLimit()
    {
        var id = await SandboxWithHistoryAsync();
        var t0 = _time.GetUtcNow().AddSeconds(-5);

        var log = await ReadAsync(id, new SandboxLogQuery { Backward = true, Cursor = t0.AddSeconds(3), Limit = 2 });

        Assert.Equal(["Process exited", "Code kernel exited"], log.Select(e => e.Message).ToArray());
    }

    [Fact]
    public async Task Forward_FromACursor_StopsAtTheLimit()
    {
        var id = await SandboxWithHistoryAsync();
        var t0 = _time.GetUtcNow().AddSeconds(-5);

        var log = await ReadAsync(id, new SandboxLogQuery { Cursor = t0.AddSeconds(2), Limit = 3 });

        Assert.Equal(["Code kernel exited", "Process exited", "Request failed"], log.Select(e => e.Message).ToArray());
    }

    [Fact]
    public async Task Level_IsAMinimum_AndSearchMatchesMessagesAndFieldValues()
    {
        var id = await SandboxWithHistoryAsync();

        var warnings = await ReadAsync(id, new SandboxLogQuery { MinLevel = SandboxLogLevel.Warn });
        var python = await ReadAsync(id, new SandboxLogQuery { Search = "python" });
        var caseSensitive = await ReadAsync(id, new SandboxLogQuery { Search = "PROCESS" });

        Assert.Equal(["Code kernel exited", "Request failed"], warnings.Select(e => e.Message).ToArray());
        Assert.Equal("Process started", Assert.Single(python).Message);
        Assert.Empty(caseSensitive);
    }

    [Fact]
    public async Task UnknownSandbox_IsNotFound()
    {
        var ex = await Assert.ThrowsAnyAsync<PaddockException>(() => ReadAsync("inosuchsandbox", new SandboxLogQuery()));
        Assert.Equal(ErrorKind.NotFound, ex.Kind);
    }

    // E2B's own limits (1000 entries, a 256-character search) are the API's: Paddock.Api.Tests has them.
    [Fact]
    public async Task ANonPositiveLimit_IsInvalid()
    {
        var id = await SandboxWithHistoryAsync();
        var query = new SandboxLogQuery { Limit = 0 };

        var ex = await Assert.ThrowsAnyAsync<PaddockException>(() => ReadAsync(id, query));
        Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
    }
}
