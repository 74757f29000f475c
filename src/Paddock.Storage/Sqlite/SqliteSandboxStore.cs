using System.Data.Common;

namespace Paddock.Storage.Sqlite;

/// <summary>Sandbox records in the SQLite file.</summary>
public sealed class SqliteSandboxStore(SqliteDatabase database) : SqlSandboxStore
{
    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    /// <inheritdoc />
    protected override string MetadataHas(string key, string value) =>
        $"EXISTS (SELECT 1 FROM json_each(sandboxes.metadata) WHERE json_each.key = {key} AND json_each.value = {value})";
}
