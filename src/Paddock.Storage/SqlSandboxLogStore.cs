using System.Data.Common;
using System.Text.Json;
using Paddock.Core.Logs;
using Paddock.Core.Storage;

namespace Paddock.Storage;

/// <summary>The platform's sandbox log entries, next to the records they describe, over SQL.</summary>
public abstract class SqlSandboxLogStore : ISandboxLogStore
{
    /// <summary>An open connection to the database.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <summary>How the dialect writes the JSON parameter of the fields.</summary>
    protected virtual string Fields => "@fields";

    /// <inheritdoc />
    public async Task AppendAsync(string sandboxId, SandboxLogEntry entry, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            INSERT INTO sandbox_logs (sandbox_id, timestamp, level, message, fields)
            VALUES (@sandbox_id, @timestamp, @level, @message, {Fields});
            """;
        SandboxRows.Add(command, "@sandbox_id", sandboxId);
        SandboxRows.Add(command, "@timestamp", entry.Timestamp.UtcTicks);
        SandboxRows.Add(command, "@level", (int)entry.Level);
        SandboxRows.Add(command, "@message", entry.Message);
        SandboxRows.Add(command, "@fields", JsonSerializer.Serialize(entry.Fields, StoreJson.Default.IReadOnlyDictionaryStringString));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<SandboxLogEntry>> ReadAsync(string sandboxId, SandboxLogQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var where = "sandbox_id = @sandbox_id AND level >= @level";
        if (query.Cursor is { } cursor)
        {
            where += query.Backward ? " AND timestamp <= @cursor" : " AND timestamp >= @cursor";
            SandboxRows.Add(command, "@cursor", cursor.UtcTicks);
        }

        // The search applies to field values too, so it is checked here rather than in SQL.
        var order = query.Backward ? "timestamp DESC, seq DESC" : "timestamp ASC, seq ASC";
        command.CommandText = $"SELECT timestamp, level, message, CAST(fields AS text) FROM sandbox_logs WHERE {where} ORDER BY {order};";
        SandboxRows.Add(command, "@sandbox_id", sandboxId);
        SandboxRows.Add(command, "@level", (int)query.MinLevel);

        var entries = new List<SandboxLogEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (entries.Count < query.Limit && await reader.ReadAsync(cancellationToken))
        {
            var entry = new SandboxLogEntry(
                SandboxRows.FromTicks(reader.GetInt64(0)),
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
