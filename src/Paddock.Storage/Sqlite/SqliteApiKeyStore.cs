using Paddock.Core.Storage;

namespace Paddock.Storage.Sqlite;

/// <summary>API key hashes in the SQLite file.</summary>
public sealed class SqliteApiKeyStore(SqliteDatabase database, TimeProvider time) : IApiKeyStore
{
    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListHashesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT hash FROM api_keys ORDER BY created_at;";
        var hashes = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            hashes.Add(reader.GetString(0));
        }

        return hashes;
    }

    /// <inheritdoc />
    public async Task AddHashAsync(string hash, string label, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT OR IGNORE INTO api_keys (hash, label, created_at) VALUES (@hash, @label, @created_at);";
        command.Parameters.AddWithValue("@hash", hash);
        command.Parameters.AddWithValue("@label", label);
        command.Parameters.AddWithValue("@created_at", time.GetUtcNow().UtcTicks);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
