using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;
using Paddock.Storage.Sqlite;

namespace Paddock.Storage.Tests;

public sealed class SqliteSandboxStoreTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("paddock-store-").FullName;
    private readonly SqliteSandboxStore _store;

    public SqliteSandboxStoreTests()
    {
        _store = new SqliteSandboxStore(new SqliteDatabase(Path.Combine(_dir, "paddock.db")));
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static SandboxRecord Record(string id, SandboxState state = SandboxState.Running, int startedSecond = 0, Dictionary<string, string>? metadata = null) => new()
    {
        Id = id,
        TemplateId = "base",
        State = state,
        StartedAt = s_t0.AddSeconds(startedSecond),
        EndAt = s_t0.AddSeconds(startedSecond + 300),
        CreatedAt = s_t0,
        Metadata = metadata ?? [],
        CpuCount = 2,
        MemoryMB = 512,
        EnvdVersion = "0.1.0",
    };

    [Fact]
    public async Task Record_RoundTrips_EveryField()
    {
        var record = Record("ifull") with
        {
            Alias = "code-interpreter-v1",
            State = SandboxState.Killed,
            StartedAt = s_t0.AddTicks(1234567),
            PausedAt = s_t0.AddSeconds(7),
            Metadata = new Dictionary<string, string> { ["user id"] = "a&b=c", ["ünï"] = "ç" },
            EnvVars = new Dictionary<string, string> { ["FOO"] = "bar" },
            AutoPause = true,
            AutoResume = true,
            Secure = true,
            EnvdAccessToken = "tok",
            AllowInternetAccess = false,
            DiskSizeMB = 10,
            KillReason = KillReason.RetentionExpired,
            KillMessage = "why",
        };
        await _store.InsertAsync(record, default);

        var read = await _store.GetAsync("ifull", default);
        Assert.NotNull(read);
        Assert.Equivalent(record, read, strict: true);
        Assert.Equal(record.StartedAt, read.StartedAt);
    }

    [Fact]
    public async Task Records_SurviveReopening_TheFile()
    {
        await _store.InsertAsync(Record("ia"), default);
        await _store.UpdateAsync(Record("ia", SandboxState.Paused), default);

        var reopened = new SqliteSandboxStore(new SqliteDatabase(Path.Combine(_dir, "paddock.db")));
        Assert.Equal(SandboxState.Paused, (await reopened.GetAsync("ia", default))!.State);
    }

    [Fact]
    public async Task Insert_DuplicateId_Fails_Update_Missing_Fails()
    {
        await _store.InsertAsync(Record("ia"), default);
        await Assert.ThrowsAnyAsync<Exception>(() => _store.InsertAsync(Record("ia"), default));
        await Assert.ThrowsAsync<InvalidOperationException>(() => _store.UpdateAsync(Record("inope"), default));
    }

    [Fact]
    public async Task ListLive_ExcludesKilled()
    {
        await _store.InsertAsync(Record("ia"), default);
        await _store.InsertAsync(Record("ib", SandboxState.Paused), default);
        await _store.InsertAsync(Record("ic", SandboxState.Killed), default);
        await _store.InsertAsync(Record("id", SandboxState.Creating), default);
        var live = await _store.ListLiveAsync(default);
        Assert.Equal(["ia", "ib", "id"], live.Select(r => r.Id).Order().ToArray());
    }

    [Fact]
    public async Task List_FiltersByState_Metadata_Template_StartedAfter()
    {
        await _store.InsertAsync(Record("ia", metadata: new() { ["user id"] = "a&b=c", ["k"] = "v" }), default);
        await _store.InsertAsync(Record("ib", SandboxState.Paused, 10, new() { ["k"] = "v" }), default);
        await _store.InsertAsync(Record("ic", SandboxState.Killed, 20, new() { ["k"] = "v" }), default);
        await _store.InsertAsync(Record("id", startedSecond: 30) with { TemplateId = "other" }, default);

        async Task<string[]> Ids(SandboxListQuery q) => (await _store.ListAsync(q, default)).Items.Select(r => r.Id).ToArray();
        SandboxState[] live = [SandboxState.Running, SandboxState.Paused];

        Assert.Equal(["id", "ib", "ia"], await Ids(new SandboxListQuery { States = live }));
        Assert.Equal(["ib"], await Ids(new SandboxListQuery { States = [SandboxState.Paused] }));
        Assert.Equal(["ib", "ia"], await Ids(new SandboxListQuery { States = live, Metadata = new Dictionary<string, string> { ["k"] = "v" } }));
        Assert.Equal(["ia"], await Ids(new SandboxListQuery { States = live, Metadata = new Dictionary<string, string> { ["user id"] = "a&b=c", ["k"] = "v" } }));
        Assert.Empty(await Ids(new SandboxListQuery { States = live, Metadata = new Dictionary<string, string> { ["k"] = "other" } }));
        Assert.Equal(["id"], await Ids(new SandboxListQuery { States = live, TemplateId = "other" }));
        Assert.Equal(["id", "ib"], await Ids(new SandboxListQuery { States = live, StartedAfter = s_t0.AddSeconds(10) }));
        Assert.Equal(["ic"], await Ids(new SandboxListQuery { States = [SandboxState.Killed] }));
        Assert.Equal(1, await _store.CountRunningAsync(new SandboxListQuery { States = live, Metadata = new Dictionary<string, string> { ["k"] = "v" } }, default));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task List_PagesThroughEverything_InOrder_WithTies(bool ascending)
    {
        // Pairs of sandboxes share a start time, so the id breaks ties.
        for (var i = 0; i < 7; i++)
        {
            await _store.InsertAsync(Record($"i{i}", startedSecond: i / 2), default);
        }

        var seen = new List<string>();
        var query = new SandboxListQuery { States = [SandboxState.Running], Limit = 3, Ascending = ascending };
        var pages = 0;
        while (true)
        {
            var page = await _store.ListAsync(query, default);
            pages++;
            seen.AddRange(page.Items.Select(r => r.Id));
            if (page.Next is null)
            {
                break;
            }

            Assert.Equal(ascending, page.Next.Ascending);
            query = query with { After = page.Next };
        }

        Assert.Equal(3, pages);
        var expected = ascending
            ? new[] { "i1", "i0", "i3", "i2", "i5", "i4", "i6" }
            : new[] { "i6", "i4", "i5", "i2", "i3", "i0", "i1" };
        Assert.Equal(expected, seen.ToArray());
    }

    [Fact]
    public async Task ApiKeys_StoreHashesOnce()
    {
        var keys = new SqliteApiKeyStore(new SqliteDatabase(Path.Combine(_dir, "paddock.db")), TimeProvider.System);
        await keys.AddHashAsync("h1", "first", default);
        await keys.AddHashAsync("h1", "again", default);
        await keys.AddHashAsync("h2", "second", default);
        Assert.Equal(["h1", "h2"], (await keys.ListHashesAsync(default)).Order().ToArray());
    }
}
