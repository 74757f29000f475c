using System.Data.Common;

namespace Paddock.Storage.Postgres;

/// <summary>API key hashes in PostgreSQL.</summary>
public sealed class PostgresApiKeyStore(PostgresDatabase database, TimeProvider time) : SqlApiKeyStore(time)
{
    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);
}
