using Paddock.Core.Logs;
using Paddock.Core.Storage;
using Xunit;

namespace Paddock.Testing.Contracts;

/// <summary>What every <see cref="ISandboxLogStore"/> must do, run against each implementation.</summary>
public abstract class SandboxLogStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private ISandboxLogStore _store = null!;

    /// <summary>A new, empty store.</summary>
    protected abstract Task<ISandboxLogStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made.</summary>
    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _store = await CreateStoreAsync();
        await _store.AppendAsync("ilog", Entry(2, SandboxLogLevel.Info, "Sandbox paused", ("reason", "request")), default);
        await _store.AppendAsync("ilog", Entry(1, SandboxLogLevel.Debug, "Timeout extended"), default);
        await _store.AppendAsync("ilog", Entry(3, SandboxLogLevel.Error, "Sandbox killed", ("reason", "out_of_memory")), default);
        await _store.AppendAsync("ilog", Entry(3, SandboxLogLevel.Info, "Same second, written later"), default);
        await _store.AppendAsync("iother", Entry(1, SandboxLogLevel.Error, "Not this sandbox's"), default);
    }

    public Task DisposeAsync() => DisposeStoreAsync();

    [Fact]
    public async Task Entries_ComeBackInTimeOrder_ThenWriteOrder_WithTheirFields()
    {
        var entries = await _store.ReadAsync("ilog", new SandboxLogQuery(), default);
        Assert.Equal(["Timeout extended", "Sandbox paused", "Sandbox killed", "Same second, written later"], entries.Select(e => e.Message));
        Assert.Equal(s_t0.AddSeconds(3).AddTicks(1), entries[2].Timestamp);
        Assert.Equal(("out_of_memory", SandboxLogLevel.Error), (entries[2].Fields["reason"], entries[2].Level));
    }

    [Fact]
    public async Task Backward_IsNewestFirst_UpToTheCursor()
    {
        var entries = await _store.ReadAsync("ilog", new SandboxLogQuery { Backward = true, Cursor = s_t0.AddSeconds(2).AddTicks(1) }, default);
        Assert.Equal(["Sandbox paused", "Timeout extended"], entries.Select(e => e.Message));
    }

    [Fact]
    public async Task Forward_StartsAtTheCursor_AndStopsAtTheLimit()
    {
        var entries = await _store.ReadAsync("ilog", new SandboxLogQuery { Cursor = s_t0.AddSeconds(2).AddTicks(1), Limit = 2 }, default);
        Assert.Equal(["Sandbox paused", "Sandbox killed"], entries.Select(e => e.Message));
    }

    [Fact]
    public async Task Level_IsAMinimum_AndSearch_MatchesMessagesAndFieldValues()
    {
        Assert.Equal(["Sandbox killed"], (await _store.ReadAsync("ilog", new SandboxLogQuery { MinLevel = SandboxLogLevel.Warn }, default)).Select(e => e.Message));
        Assert.Equal(["Sandbox paused"], (await _store.ReadAsync("ilog", new SandboxLogQuery { Search = "request" }, default)).Select(e => e.Message));
        Assert.Equal(["Sandbox paused", "Sandbox killed"], (await _store.ReadAsync("ilog", new SandboxLogQuery { Search = "Sandbox " }, default)).Select(e => e.Message));
        Assert.Empty(await _store.ReadAsync("inone", new SandboxLogQuery(), default));
    }

    private static SandboxLogEntry Entry(int second, SandboxLogLevel level, string message, params (string Key, string Value)[] fields) =>
        new(s_t0.AddSeconds(second).AddTicks(1), level, message, fields.Append(("source", "paddock")).ToDictionary(f => f.Item1, f => f.Item2));
}
