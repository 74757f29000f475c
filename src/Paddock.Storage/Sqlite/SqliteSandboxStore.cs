using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Paddock.Core.Sandboxes;
using Paddock.Core.Storage;

namespace Paddock.Storage.Sqlite;

/// <summary>Sandbox records in the SQLite file. Times are stored as UTC ticks, so they round-trip exactly.</summary>
public sealed class SqliteSandboxStore(SqliteDatabase database) : ISandboxStore
{
    private const string Columns =
        "id, template_id, alias, state, started_at, end_at, paused_at, ended_at, created_at, metadata, env_vars, auto_pause, " +
        "auto_resume, secure, envd_access_token, allow_internet_access, cpu_count, memory_mb, disk_size_mb, envd_version, " +
        "kill_reason, kill_message";

    /// <inheritdoc />
    public async Task InsertAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO sandboxes ({Columns})
            VALUES (@id, @template_id, @alias, @state, @started_at, @end_at, @paused_at, @ended_at, @created_at, @metadata, @env_vars,
                    @auto_pause, @auto_resume, @secure, @envd_access_token, @allow_internet_access, @cpu_count, @memory_mb,
                    @disk_size_mb, @envd_version, @kill_reason, @kill_message);
            """;
        Bind(command, record);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task UpdateAsync(SandboxRecord record, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE sandboxes SET template_id = @template_id, alias = @alias, state = @state, started_at = @started_at,
                end_at = @end_at, paused_at = @paused_at, ended_at = @ended_at, created_at = @created_at, metadata = @metadata, env_vars = @env_vars,
                auto_pause = @auto_pause, auto_resume = @auto_resume, secure = @secure, envd_access_token = @envd_access_token,
                allow_internet_access = @allow_internet_access, cpu_count = @cpu_count, memory_mb = @memory_mb,
                disk_size_mb = @disk_size_mb, envd_version = @envd_version, kill_reason = @kill_reason, kill_message = @kill_message
            WHERE id = @id;
            """;
        Bind(command, record);
        if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
        {
            throw new InvalidOperationException($"sandbox record {record.Id} does not exist");
        }
    }

    /// <inheritdoc />
    public async Task<SandboxRecord?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM sandboxes WHERE id = @id;";
        command.Parameters.AddWithValue("@id", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxRecord>> ListLiveAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {Columns} FROM sandboxes WHERE state <> 'killed' ORDER BY started_at, id;";
        return await ReadAllAsync(command, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<SandboxPage> ListAsync(SandboxListQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = BuildFilter(command, query, query.States);
        if (query.After is { } after)
        {
            // Order is (started_at DESC, id ASC), or the exact reverse for ascending listings.
            where.Append(query.Ascending
                ? " AND (started_at > @after_t OR (started_at = @after_t AND id < @after_id))"
                : " AND (started_at < @after_t OR (started_at = @after_t AND id > @after_id))");
            command.Parameters.AddWithValue("@after_t", after.StartedAt.UtcTicks);
            command.Parameters.AddWithValue("@after_id", after.SandboxId);
        }

        var order = query.Ascending ? "started_at ASC, id DESC" : "started_at DESC, id ASC";
        command.CommandText = $"SELECT {Columns} FROM sandboxes WHERE {where} ORDER BY {order} LIMIT @limit;";
        command.Parameters.AddWithValue("@limit", query.Limit + 1);
        var rows = await ReadAllAsync(command, cancellationToken);
        if (rows.Count <= query.Limit)
        {
            return new SandboxPage(rows, null);
        }

        var page = rows.Take(query.Limit).ToList();
        var last = page[^1];
        return new SandboxPage(page, new ListCursor(last.StartedAt, last.Id, query.Ascending));
    }

    /// <inheritdoc />
    public async Task<int> CountRunningAsync(SandboxListQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = BuildFilter(command, query, [SandboxState.Running]);
        command.CommandText = $"SELECT COUNT(*) FROM sandboxes WHERE {where};";
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    private static StringBuilder BuildFilter(SqliteCommand command, SandboxListQuery query, IReadOnlyCollection<SandboxState> states)
    {
        var where = new StringBuilder();
        var stateParams = states.Select((s, i) =>
        {
            command.Parameters.AddWithValue($"@state{i}", StateName(s));
            return $"@state{i}";
        });
        where.Append(CultureInfo.InvariantCulture, $"state IN ({string.Join(", ", stateParams)})");

        if (query.TemplateId is not null)
        {
            where.Append(" AND template_id = @template");
            command.Parameters.AddWithValue("@template", query.TemplateId);
        }

        if (query.StartedAfter is { } startedAfter)
        {
            where.Append(" AND started_at >= @started_after");
            command.Parameters.AddWithValue("@started_after", startedAfter.UtcTicks);
        }

        var i = 0;
        foreach (var (key, value) in query.Metadata)
        {
            where.Append(CultureInfo.InvariantCulture,
                $" AND EXISTS (SELECT 1 FROM json_each(sandboxes.metadata) WHERE json_each.key = @mk{i} AND json_each.value = @mv{i})");
            command.Parameters.AddWithValue($"@mk{i}", key);
            command.Parameters.AddWithValue($"@mv{i}", value);
            i++;
        }

        return where;
    }

    private static async Task<List<SandboxRecord>> ReadAllAsync(SqliteCommand command, CancellationToken cancellationToken)
    {
        var list = new List<SandboxRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private static void Bind(SqliteCommand command, SandboxRecord r)
    {
        var p = command.Parameters;
        p.AddWithValue("@id", r.Id);
        p.AddWithValue("@template_id", r.TemplateId);
        p.AddWithValue("@alias", (object?)r.Alias ?? DBNull.Value);
        p.AddWithValue("@state", StateName(r.State));
        p.AddWithValue("@started_at", r.StartedAt.UtcTicks);
        p.AddWithValue("@end_at", Ticks(r.EndAt));
        p.AddWithValue("@paused_at", Ticks(r.PausedAt));
        p.AddWithValue("@ended_at", Ticks(r.EndedAt));
        p.AddWithValue("@created_at", r.CreatedAt.UtcTicks);
        p.AddWithValue("@metadata", JsonSerializer.Serialize(r.Metadata, StoreJson.Default.IReadOnlyDictionaryStringString));
        p.AddWithValue("@env_vars", JsonSerializer.Serialize(r.EnvVars, StoreJson.Default.IReadOnlyDictionaryStringString));
        p.AddWithValue("@auto_pause", r.AutoPause);
        p.AddWithValue("@auto_resume", r.AutoResume);
        p.AddWithValue("@secure", r.Secure);
        p.AddWithValue("@envd_access_token", (object?)r.EnvdAccessToken ?? DBNull.Value);
        p.AddWithValue("@allow_internet_access", r.AllowInternetAccess is { } allow ? allow : DBNull.Value);
        p.AddWithValue("@cpu_count", r.CpuCount);
        p.AddWithValue("@memory_mb", r.MemoryMB);
        p.AddWithValue("@disk_size_mb", r.DiskSizeMB);
        p.AddWithValue("@envd_version", r.EnvdVersion);
        p.AddWithValue("@kill_reason", r.KillReason is { } reason ? reason.ToString() : DBNull.Value);
        p.AddWithValue("@kill_message", (object?)r.KillMessage ?? DBNull.Value);
    }

    private static SandboxRecord Read(SqliteDataReader x) => new()
    {
        Id = x.GetString(0),
        TemplateId = x.GetString(1),
        Alias = x.IsDBNull(2) ? null : x.GetString(2),
        State = Enum.Parse<SandboxState>(x.GetString(3), ignoreCase: true),
        StartedAt = FromTicks(x.GetInt64(4)),
        EndAt = OptionalTime(x, 5),
        PausedAt = OptionalTime(x, 6),
        EndedAt = OptionalTime(x, 7),
        CreatedAt = FromTicks(x.GetInt64(8)),
        Metadata = JsonSerializer.Deserialize(x.GetString(9), StoreJson.Default.DictionaryStringString) ?? [],
        EnvVars = JsonSerializer.Deserialize(x.GetString(10), StoreJson.Default.DictionaryStringString) ?? [],
        AutoPause = x.GetBoolean(11),
        AutoResume = x.GetBoolean(12),
        Secure = x.GetBoolean(13),
        EnvdAccessToken = x.IsDBNull(14) ? null : x.GetString(14),
        AllowInternetAccess = x.IsDBNull(15) ? null : x.GetBoolean(15),
        CpuCount = x.GetInt32(16),
        MemoryMB = x.GetInt32(17),
        DiskSizeMB = x.GetInt32(18),
        EnvdVersion = x.GetString(19),
        KillReason = x.IsDBNull(20) ? null : Enum.Parse<KillReason>(x.GetString(20)),
        KillMessage = x.IsDBNull(21) ? null : x.GetString(21),
    };

    private static object Ticks(DateTimeOffset? time) => time is { } t ? t.UtcTicks : DBNull.Value;

    private static DateTimeOffset? OptionalTime(SqliteDataReader x, int column) => x.IsDBNull(column) ? null : FromTicks(x.GetInt64(column));

    private static string StateName(SandboxState state) => state.ToString().ToLowerInvariant();

    private static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);
}
