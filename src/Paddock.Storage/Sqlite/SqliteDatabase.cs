using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite;

/// <summary>
/// The SQLite file that holds Paddock's state, opened in WAL mode. With <c>synchronous=NORMAL</c> in
/// WAL a committed transaction survives a crash or <c>kill -9</c> of the server; only a power loss can
/// drop the last commits.
/// </summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;

    /// <summary>Opens (and creates or migrates) the database at <paramref name="path"/>.</summary>
    public SqliteDatabase(string path)
    {
        Path = path;

        // The store opens before anything else of the server, on a first start before the data dir exists.
        if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is { } directory)
        {
            Directory.CreateDirectory(directory);
        }

        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        SchemaMigrations.Apply(connection);
    }

    /// <summary>The database file.</summary>
    public string Path { get; }

    internal async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
