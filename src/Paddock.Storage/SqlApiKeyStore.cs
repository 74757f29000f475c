using System.Data.Common;
using Paddock.Core.Storage;

namespace Paddock.Storage;

/// <summary>API key hashes, over SQL (the same statements in SQLite and PostgreSQL).</summary>
public abstract class SqlApiKeyStore(TimeProvider time) : IApiKeyStore
{
    /// <summary>An open connection to the database.</summary>
    protected abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> ListHashesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
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
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO api_keys (hash, label, created_at) VALUES (@hash, @label, @created_at) ON CONFLICT DO NOTHING;";
        SandboxRows.Add(command, "@hash", hash);
        SandboxRows.Add(command, "@label", label);
        SandboxRows.Add(command, "@created_at", time.GetUtcNow().UtcTicks);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
