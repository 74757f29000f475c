using System.Text.Json;
using Paddock.Core.Logs;
using Paddock.Core.Storage;

namespace Paddock.Storage.Sqlite;

/// <summary>The platform's sandbox log entries in the SQLite file, next to the records they describe.</summary>
public sealed class SqliteSandboxLogStore(SqliteDatabase database) : ISandboxLogStore
{
    /// <inheritdoc />
    public async Task AppendAsync(string sandboxId, SandboxLogEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO sandbox_logs (sandbox_id, timestamp, level, message, fields)
            VALUES (@sandbox_id, @timestamp, @level, @message, @fields);
            """;
        command.Parameters.AddWithValue("@sandbox_id", sandboxId);
        command.Parameters.AddWithValue("@timestamp", entry.Timestamp.UtcTicks);
        command.Parameters.AddWithValue("@level", (int)entry.Level);
        command.Parameters.AddWithValue("@message", entry.Message);
        command.Parameters.AddWithValue("@fields", JsonSerializer.Serialize(entry.Fields, StoreJson.Default.IReadOnlyDictionaryStringString));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxLogEntry>> ReadAsync(string sandboxId, SandboxLogQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = "sandbox_id = @sandbox_id AND level >= @level";
        if (query.Cursor is { } cursor)
        {
            where += query.Backward ? " AND timestamp <= @cursor" : " AND timestamp >= @cursor";
            command.Parameters.AddWithValue("@cursor", cursor.UtcTicks);
        }

        // The search applies to field values too, so it is checked here rather than in SQL.
        var order = query.Backward ? "timestamp DESC, seq DESC" : "timestamp ASC, seq ASC";
        command.CommandText = $"SELECT timestamp, level, message, fields FROM sandbox_logs WHERE {where} ORDER BY {order};";
        command.Parameters.AddWithValue("@sandbox_id", sandboxId);
        command.Parameters.AddWithValue("@level", (int)query.MinLevel);

        var entries = new List<SandboxLogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (entries.Count < query.Limit && await reader.ReadAsync(cancellationToken))
        {
            var entry = new SandboxLogEntry(
                new DateTimeOffset(reader.GetInt64(0), TimeSpan.Zero),
                (SandboxLogLevel)reader.GetInt32(1),
                reader.GetString(2),
                JsonSerializer.Deserialize(reader.GetString(3), StoreJson.Default.DictionaryStringString) ?? []);
            if (query.Matches(entry))
            {
                entries.Add(entry);
            }
        }

        return entries;
    }
}
