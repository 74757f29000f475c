using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;
using Xunit;

namespace Paddock.Testing.Contracts;

/// <summary>
/// What every <see cref="ISandboxStore"/> must do, run against each implementation (SQLite, PostgreSQL and
/// the in-memory double): a class per store derives from this one and says how to make an empty store.
/// </summary>
public abstract class SandboxStoreContract : IAsyncLifetime
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    private ISandboxStore _store = null!;

    /// <summary>A new, empty store.</summary>
    protected abstract Task<ISandboxStore> CreateStoreAsync();

    /// <summary>Releases what <see cref="CreateStoreAsync"/> made.</summary>
    protected virtual Task DisposeStoreAsync() => Task.CompletedTask;

    public async Task InitializeAsync() => _store = await CreateStoreAsync();

    public Task DisposeAsync() => DisposeStoreAsync();

    [Fact]
    public async Task Insert_ThenGet_RoundTripsEveryField()
    {
        var record = Record("iroundtrip", SandboxState.Killed, 3) with
        {
            Alias = "code-interpreter-v1",
            EndAt = s_t0.AddTicks(123_4567),
            PausedAt = s_t0.AddSeconds(1),
            EndedAt = s_t0.AddSeconds(2).AddTicks(1),
            Metadata = new Dictionary<string, string> { ["owner"] = "me", ["with space"] = "a&b=c", ["üñî"] = "\"quoted\"" },
            EnvVars = new Dictionary<string, string> { ["A"] = "1", ["B"] = string.Empty },
            AutoPause = true,
            AutoResume = true,
            Secure = true,
            EnvdAccessToken = "token",
            AllowInternetAccess = false,
            AllowOut = ["api.example.com", "*.wild.example.com", "1.2.3.0/24"],
            DenyOut = ["0.0.0.0/0"],
            AllowPublicTraffic = false,
            TrafficAccessToken = "traffic-token",
            MaskRequestHost = "app.example.com:${PORT}",
            HttpsPorts = [443, 8443],
            CpuCount = 3,
            MemoryMB = 768,
            DiskSizeMB = 2048,
            KillReason = KillReason.OutOfMemory,
            KillMessage = "its init ended",
        };
        await _store.InsertAsync(record, default);

        AssertSame(record, await _store.GetAsync("iroundtrip", default));

        var creating = Record("icreating", SandboxState.Creating, 0) with { EndAt = null, Alias = null, EnvdAccessToken = null, AllowInternetAccess = null };
        await _store.InsertAsync(creating, default);
        AssertSame(creating, await _store.GetAsync("icreating", default));
    }

    [Fact]
    public async Task PauseKind_AutoPauseMemory_AndSnapshot_RoundTrip()
    {
        var running = Record("ipersist", SandboxState.Running, 0) with { AutoPause = true, AutoPauseMemory = false, SnapshotId = "my-snap:v1" };
        await _store.InsertAsync(running, default);
        AssertSame(running, await _store.GetAsync("ipersist", default));

        var onDisk = running.Paused(s_t0.AddMinutes(1), PauseKind.Filesystem);
        await _store.UpdateAsync(onDisk, default);
        var read = await _store.GetAsync("ipersist", default);
        AssertSame(onDisk, read);
        Assert.Equal(PauseKind.Filesystem, read!.PausedAs);

        var resumed = read.Resumed(s_t0.AddMinutes(2), s_t0.AddMinutes(7));
        await _store.UpdateAsync(resumed, default);
        Assert.Null((await _store.GetAsync("ipersist", default))!.PausedAs);
    }

    [Fact]
    public async Task Insert_OfAnExistingId_Fails_AndUpdate_OfAMissingOne()
    {
        await _store.InsertAsync(Record("itwice", SandboxState.Running, 0), default);
        await Assert.ThrowsAnyAsync<Exception>(() => _store.InsertAsync(Record("itwice", SandboxState.Running, 1), default));
        await Assert.ThrowsAnyAsync<Exception>(() => _store.UpdateAsync(Record("inever", SandboxState.Running, 0), default));
        Assert.Null(await _store.GetAsync("inever", default));
    }

    [Fact]
    public async Task Update_ReplacesTheRecord()
    {
        var running = Record("iupdate", SandboxState.Running, 0);
        await _store.InsertAsync(running, default);
        var killed = running.Killed(s_t0.AddMinutes(1), KillReason.Timeout, "done");
        await _store.UpdateAsync(killed, default);
        AssertSame(killed, await _store.GetAsync("iupdate", default));
    }

    [Fact]
    public async Task ListLive_IsEveryRecordNotKilled_OldestFirst()
    {
        await InsertAllAsync(Record("ib", SandboxState.Paused, 2), Record("ia", SandboxState.Running, 1), Record("ic", SandboxState.Killed, 0), Record("id", SandboxState.Creating, 3));
        Assert.Equal(["ia", "ib", "id"], (await _store.ListLiveAsync(default)).Select(r => r.Id));
    }

    [Fact]
    public async Task List_FiltersByState_Template_StartedAfter_AndEveryMetadataPair()
    {
        await InsertAllAsync(
            Record("i1", SandboxState.Running, 1) with { Metadata = new Dictionary<string, string> { ["team"] = "a", ["env"] = "prod" } },
            Record("i2", SandboxState.Paused, 2) with { Metadata = new Dictionary<string, string> { ["team"] = "a" } },
            Record("i3", SandboxState.Running, 3) with { TemplateId = "other", Metadata = new Dictionary<string, string> { ["team"] = "b" } },
            Record("i4", SandboxState.Killed, 4) with { Metadata = new Dictionary<string, string> { ["team"] = "a" } },
            Record("i5", SandboxState.Running, 5));

        Assert.Equal(["i5", "i3", "i1"], await IdsAsync(Query(SandboxState.Running)));
        Assert.Equal(["i5", "i3", "i2", "i1"], await IdsAsync(Query(SandboxState.Running, SandboxState.Paused)));
        Assert.Equal(["i4"], await IdsAsync(Query(SandboxState.Killed)));
        Assert.Equal(["i2", "i1"], await IdsAsync(Query(SandboxState.Running, SandboxState.Paused) with { Metadata = Pairs(("team", "a")) }));
        Assert.Equal(["i1"], await IdsAsync(Query(SandboxState.Running, SandboxState.Paused) with { Metadata = Pairs(("team", "a"), ("env", "prod")) }));
        Assert.Empty(await IdsAsync(Query(SandboxState.Running) with { Metadata = Pairs(("team", "a"), ("env", "dev")) }));
        Assert.Equal(["i3"], await IdsAsync(Query(SandboxState.Running) with { TemplateId = "other" }));
        Assert.Equal(["i5", "i3"], await IdsAsync(Query(SandboxState.Running) with { StartedAfter = s_t0.AddSeconds(3) }));
    }

    [Fact]
    public async Task List_IsNewestFirst_ThenById_OrTheExactReverse()
    {
        // Equal start times are ordered by id, bytewise (digits before letters).
        await InsertAllAsync(Record("ib", SandboxState.Running, 1), Record("i9", SandboxState.Running, 1), Record("ia", SandboxState.Running, 2), Record("iz", SandboxState.Running, 0));
        Assert.Equal(["ia", "i9", "ib", "iz"], await IdsAsync(Query(SandboxState.Running)));
        Assert.Equal(["iz", "ib", "i9", "ia"], await IdsAsync(Query(SandboxState.Running) with { Ascending = true }));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task List_PagesWithTheCursor_WithoutGapsOrRepeats(bool ascending)
    {
        var records = Enumerable.Range(0, 7).Select(i => Record($"ipage{i}", SandboxState.Running, i / 2)).ToArray();
        await InsertAllAsync(records);
        var all = await IdsAsync(Query(SandboxState.Running) with { Ascending = ascending });

        var paged = new List<string>();
        ListCursor? cursor = null;
        do
        {
            var page = await _store.ListAsync(Query(SandboxState.Running) with { Ascending = ascending, Limit = 2, After = cursor }, default);
            Assert.InRange(page.Items.Count, 1, 2);
            paged.AddRange(page.Items.Select(r => r.Id));
            cursor = page.Next;
        }
        while (cursor is not null);

        Assert.Equal(all, paged);
        Assert.Equal(7, paged.Distinct().Count());
    }

    [Fact]
    public async Task CountRunning_CountsTheRunningMatches_WhateverThePage()
    {
        await InsertAllAsync(
            Record("i1", SandboxState.Running, 1) with { Metadata = Pairs(("team", "a")) },
            Record("i2", SandboxState.Running, 2) with { Metadata = Pairs(("team", "a")) },
            Record("i3", SandboxState.Paused, 3) with { Metadata = Pairs(("team", "a")) },
            Record("i4", SandboxState.Running, 4));
        Assert.Equal(2, await _store.CountRunningAsync(Query(SandboxState.Running, SandboxState.Paused) with { Metadata = Pairs(("team", "a")), Limit = 1 }, default));
        Assert.Equal(3, await _store.CountRunningAsync(Query(SandboxState.Paused), default));
    }

    // Records compare their maps by reference: the maps are compared by content, the rest as a whole.
    private static void AssertSame(SandboxRecord expected, SandboxRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal), actual.Metadata.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.EnvVars.OrderBy(p => p.Key, StringComparer.Ordinal), actual.EnvVars.OrderBy(p => p.Key, StringComparer.Ordinal));
        Assert.Equal(expected.AllowOut, actual.AllowOut);
        Assert.Equal(expected.DenyOut, actual.DenyOut);
        Assert.Equal(expected.HttpsPorts, actual.HttpsPorts);
        Assert.Equal(expected with { Metadata = actual.Metadata, EnvVars = actual.EnvVars, AllowOut = actual.AllowOut, DenyOut = actual.DenyOut, HttpsPorts = actual.HttpsPorts }, actual);
    }

    private async Task InsertAllAsync(params SandboxRecord[] records)
    {
        foreach (var record in records)
        {
            await _store.InsertAsync(record, default);
        }
    }

    private async Task<List<string>> IdsAsync(SandboxListQuery query) => (await _store.ListAsync(query, default)).Items.Select(r => r.Id).ToList();

    private static SandboxListQuery Query(params SandboxState[] states) => new() { States = states };

    private static Dictionary<string, string> Pairs(params (string Key, string Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static SandboxRecord Record(string id, SandboxState state, int startedSecond) => new()
    {
        Id = id,
        TemplateId = "base",
        State = state,
        StartedAt = s_t0.AddSeconds(startedSecond),
        EndAt = s_t0.AddSeconds(startedSecond + 300),
        PausedAt = state == SandboxState.Paused ? s_t0.AddSeconds(startedSecond + 10) : null,
        EndedAt = state == SandboxState.Killed ? s_t0.AddSeconds(startedSecond + 20) : null,
        KillReason = state == SandboxState.Killed ? KillReason.Request : null,
        CreatedAt = s_t0,
        CpuCount = 2,
        MemoryMB = 512,
        DiskSizeMB = 10240,
        EnvdVersion = "0.6.13",
    };
}
