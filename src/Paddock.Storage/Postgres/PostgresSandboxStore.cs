using System.Data.Common;

namespace Paddock.Storage.Postgres;

/// <summary>Sandbox records in PostgreSQL.</summary>
public sealed class PostgresSandboxStore(PostgresDatabase database) : SqlSandboxStore
{
    /// <inheritdoc />
    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => await database.OpenAsync(cancellationToken);

    /// <inheritdoc />
    protected override string Value(string parameter) => parameter is "@metadata" or "@env_vars" ? parameter + "::jsonb" : parameter;

    /// <inheritdoc />
    /// <remarks>Containment, so the metadata's GIN index serves the filter.</remarks>
    protected override string MetadataHas(string key, string value) => $"metadata @> jsonb_build_object({key}::text, {value}::text)";

    /// <inheritdoc />
    protected override string Id => "id COLLATE \"C\"";
}
