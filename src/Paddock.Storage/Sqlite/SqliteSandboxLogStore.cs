using System.Data.Common;

namespace Paddock.Storage.Sqlite;

/// <summary>The platform's sandbox log entries in the SQLite file.</summary>
public sealed class SqliteSandboxLogStore(SqliteDatabase database) : SqlSandboxLogStore
{
    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);
}
