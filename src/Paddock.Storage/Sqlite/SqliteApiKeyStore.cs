using System.Data.Common;

namespace Paddock.Storage.Sqlite;

/// <summary>API key hashes in the SQLite file.</summary>
public sealed class SqliteApiKeyStore(SqliteDatabase database, TimeProvider time) : SqlApiKeyStore(time)
{
    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);
}
