using Paddock.Core.Logs;
using Paddock.Storage.Sqlite;

namespace Paddock.Storage.Tests;

public sealed class SqliteSandboxLogStoreTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("paddock-logs-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private SqliteSandboxLogStore Open() => new(new SqliteDatabase(Path.Combine(_dir, "paddock.db")));

    private static SandboxLogEntry Entry(double second, SandboxLogLevel level, string message) =>
        new(s_t0.AddSeconds(second), level, message, new Dictionary<string, string> { ["source"] = "paddock", ["n"] = message });

    [Fact]
    public async Task Entries_SurviveReopening_ExactlyAndInOrder_PerSandbox()
    {
        var store = Open();
        await store.AppendAsync("ia", Entry(1.0000001, SandboxLogLevel.Info, "created"), default);
        await store.AppendAsync("ib", Entry(1.5, SandboxLogLevel.Info, "other sandbox"), default);
        await store.AppendAsync("ia", Entry(2, SandboxLogLevel.Error, "killed"), default);
        // Same instant: the order of appending decides.
        await store.AppendAsync("ia", Entry(2, SandboxLogLevel.Info, "after killed"), default);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var log = await Open().ReadAsync("ia", new SandboxLogQuery(), default);

        Assert.Equal(["created", "killed", "after killed"], log.Select(e => e.Message).ToArray());
        Assert.Equal(s_t0.AddSeconds(1.0000001), log[0].Timestamp);
        Assert.Equal(SandboxLogLevel.Error, log[1].Level);
        Assert.Equal("killed", log[1].Fields["n"]);
    }

    [Fact]
    public async Task Query_AppliesCursorDirectionLevelSearchAndLimit()
    {
        var store = Open();
        for (var i = 0; i < 10; i++)
        {
            await store.AppendAsync("ia", Entry(i, i % 3 == 0 ? SandboxLogLevel.Warn : SandboxLogLevel.Info, $"entry {i}"), default);
        }

        var forward = await store.ReadAsync("ia", new SandboxLogQuery { Cursor = s_t0.AddSeconds(4), Limit = 3 }, default);
        var backward = await store.ReadAsync("ia", new SandboxLogQuery { Cursor = s_t0.AddSeconds(4), Backward = true, Limit = 3 }, default);
        var warnings = await store.ReadAsync("ia", new SandboxLogQuery { MinLevel = SandboxLogLevel.Warn }, default);
        var search = await store.ReadAsync("ia", new SandboxLogQuery { Search = "entry 7" }, default);

        Assert.Equal(["entry 4", "entry 5", "entry 6"], forward.Select(e => e.Message).ToArray());
        Assert.Equal(["entry 4", "entry 3", "entry 2"], backward.Select(e => e.Message).ToArray());
        Assert.Equal(["entry 0", "entry 3", "entry 6", "entry 9"], warnings.Select(e => e.Message).ToArray());
        Assert.Equal("entry 7", Assert.Single(search).Message);
    }
}
