using Npgsql;

namespace Paddock.Storage;

/// <summary>Where Paddock keeps its records (section <c>Paddock:Store</c>); every setting has a working default.</summary>
public sealed class StoreOptions
{
    /// <summary>The embedded default: one SQLite file in the data dir.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>A PostgreSQL database (one per Paddock server until records say which server holds their sandbox).</summary>
    public const string Postgres = "postgres";

    /// <summary><see cref="Sqlite"/> or <see cref="Postgres"/>.</summary>
    public string Provider { get; set; } = Sqlite;

    /// <summary>
    /// For PostgreSQL, an Npgsql connection string (required); for SQLite, the database file (default:
    /// <c>paddock.db</c> in the data dir).
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>Where the records are, for the operator's log: never the password.</summary>
    /// <param name="defaultSqlitePath">The SQLite file used when no connection string names one.</param>
    public string Describe(string defaultSqlitePath)
    {
        if (Provider != Postgres)
        {
            return $"SQLite file {(string.IsNullOrWhiteSpace(ConnectionString) ? defaultSqlitePath : ConnectionString)}";
        }

        var connection = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"PostgreSQL database {connection.Database} on {connection.Host}:{connection.Port} as {connection.Username}";
    }

    /// <summary>Every broken rule, so one start reports all of them.</summary>
    public IEnumerable<string> Validate()
    {
        if (Provider is not (Sqlite or Postgres))
        {
            yield return $"Store:Provider (PADDOCK_STORE_PROVIDER) must be '{Sqlite}' or '{Postgres}' (got '{Provider}')";
        }

        if (Provider == Postgres && string.IsNullOrWhiteSpace(ConnectionString))
        {
            yield return "Store:ConnectionString (PADDOCK_STORE_CONNECTION_STRING) is required with the postgres store";
        }
    }
}
