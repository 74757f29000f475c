using System.Data.Common;

namespace Paddock.Storage.Postgres;

/// <summary>The platform's sandbox log entries in PostgreSQL.</summary>
public sealed class PostgresSandboxLogStore(PostgresDatabase database) : SqlSandboxLogStore
{
    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    /// <inheritdoc />
    protected override string Fields => "@fields::jsonb";
}
