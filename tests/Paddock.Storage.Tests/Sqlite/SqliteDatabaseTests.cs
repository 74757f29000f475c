using Microsoft.Data.Sqlite;
using Paddock.Core.Logs;
using Paddock.Core.Sandboxes;
using Paddock.Storage.Sqlite;

namespace Paddock.Storage.Tests.Sqlite;

/// <summary>What only the SQLite file has to show: it keeps everything across reopening, and it migrates.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private static readonly DateTimeOffset s_t0 = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);
    private readonly SqliteDatabaseFile _file = new();

    public void Dispose() => _file.Dispose();

    [Fact]
    public async Task RecordsLogsAndKeys_SurviveReopening_TheFile()
    {
        var database = _file.Open();
        var record = new SandboxRecord { Id = "ia", TemplateId = "base", StartedAt = s_t0, CreatedAt = s_t0, CpuCount = 2, MemoryMB = 512, EnvdVersion = "0.6.13" };
        await new SqliteSandboxStore(database).InsertAsync(record, default);
        await new SqliteSandboxStore(database).UpdateAsync(record.Started(s_t0, s_t0.AddMinutes(5)).Paused(s_t0.AddMinutes(1)), default);
        await new SqliteSandboxLogStore(database).AppendAsync("ia", new SandboxLogEntry(s_t0, SandboxLogLevel.Info, "created", new Dictionary<string, string>()), default);
        var keys = new SqliteApiKeyStore(database, TimeProvider.System);
        await keys.AddHashAsync("h1", "first", default);
        await keys.AddHashAsync("h1", "again", default);
        SqliteConnection.ClearAllPools();

        var reopened = _file.Open();
        Assert.Equal(SandboxState.Paused, (await new SqliteSandboxStore(reopened).GetAsync("ia", default))!.State);
        Assert.Equal("created", Assert.Single(await new SqliteSandboxLogStore(reopened).ReadAsync("ia", new SandboxLogQuery(), default)).Message);
        Assert.Equal(["h1"], await new SqliteApiKeyStore(reopened, TimeProvider.System).ListHashesAsync(default));
    }

    [Fact]
    public async Task OnAFirstStart_TheFilesDirectoryIsMade()
    {
        var path = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_file.Path)!, "not", "yet", "paddock.db");
        var store = new SqliteSandboxStore(new SqliteDatabase(path));
        Assert.Null(await store.GetAsync("ia", default));
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task ADatabaseOfTheSecondSchema_IsMigrated_KeepingEveryRecord()
    {
        // The schema before EndAt meant one thing: a killed record's end_at was its kill time.
        using (var connection = new SqliteConnection($"Data Source={_file.Path}"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """
                CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1), (2);
                CREATE TABLE sandboxes (id TEXT PRIMARY KEY, template_id TEXT NOT NULL, alias TEXT, state TEXT NOT NULL,
                    started_at INTEGER NOT NULL, end_at INTEGER NOT NULL, paused_at INTEGER, created_at INTEGER NOT NULL,
                    metadata TEXT NOT NULL, env_vars TEXT NOT NULL, auto_pause INTEGER NOT NULL, auto_resume INTEGER NOT NULL,
                    secure INTEGER NOT NULL, envd_access_token TEXT, allow_internet_access INTEGER, cpu_count INTEGER NOT NULL,
                    memory_mb INTEGER NOT NULL, disk_size_mb INTEGER NOT NULL, envd_version TEXT NOT NULL, kill_reason TEXT, kill_message TEXT);
                CREATE TABLE api_keys (hash TEXT PRIMARY KEY, label TEXT NOT NULL, created_at INTEGER NOT NULL);
                CREATE TABLE sandbox_logs (seq INTEGER PRIMARY KEY AUTOINCREMENT, sandbox_id TEXT NOT NULL, timestamp INTEGER NOT NULL,
                    level INTEGER NOT NULL, message TEXT NOT NULL, fields TEXT NOT NULL);
                INSERT INTO sandboxes VALUES ('ikilled', 'base', NULL, 'killed', 1, 2, NULL, 1, '{"k":"v"}', '{}', 0, 0, 1, NULL, NULL, 2, 512, 0, '0.6.13', 'Timeout', NULL);
                INSERT INTO sandboxes VALUES ('irunning', 'base', NULL, 'running', 1, 3, NULL, 1, '{}', '{}', 0, 0, 1, NULL, NULL, 2, 512, 0, '0.6.13', NULL, NULL);
                """;
            create.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var store = new SqliteSandboxStore(_file.Open());
        var killed = (await store.GetAsync("ikilled", default))!;
        Assert.Equal((2L, 2L, "v"), (killed.EndAt!.Value.UtcTicks, killed.EndedAt!.Value.UtcTicks, killed.Metadata["k"]));
        var running = (await store.GetAsync("irunning", default))!;
        Assert.Equal((3L, (DateTimeOffset?)null), (running.EndAt!.Value.UtcTicks, running.EndedAt));
    }
}
