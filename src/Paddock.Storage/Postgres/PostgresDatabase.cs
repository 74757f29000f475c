using Npgsql;

namespace Paddock.Storage.Postgres;

/// <summary>
/// Paddock's state in a PostgreSQL database. The schema is made
/// and migrated on first use, under an advisory lock so servers starting together apply each step once.
/// Times are UTC ticks (bigint), as in SQLite, so records round-trip exactly; metadata is jsonb.
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    // Any fixed number: the lock every Paddock server takes while it migrates the schema.
    private const long MigrationLock = 0x70616464_6f636b;

    private static readonly string[] s_steps =
    [
        """
        CREATE TABLE sandboxes (
            id                    text PRIMARY KEY,
            template_id           text NOT NULL,
            alias                 text,
            state                 text NOT NULL,
            started_at            bigint NOT NULL,
            end_at                bigint,
            paused_at             bigint,
            ended_at              bigint,
            created_at            bigint NOT NULL,
            metadata              jsonb NOT NULL,
            env_vars              jsonb NOT NULL,
            auto_pause            boolean NOT NULL,
            auto_resume           boolean NOT NULL,
            secure                boolean NOT NULL,
            envd_access_token     text,
            allow_internet_access boolean,
            cpu_count             integer NOT NULL,
            memory_mb             integer NOT NULL,
            disk_size_mb          integer NOT NULL,
            envd_version          text NOT NULL,
            kill_reason           text,
            kill_message          text
        );
        CREATE INDEX ix_sandboxes_state_started ON sandboxes (state, started_at DESC, id COLLATE "C");
        CREATE INDEX ix_sandboxes_metadata ON sandboxes USING gin (metadata jsonb_path_ops);
        CREATE TABLE api_keys (
            hash       text PRIMARY KEY,
            label      text NOT NULL,
            created_at bigint NOT NULL
        );
        CREATE TABLE sandbox_logs (
            seq        bigserial PRIMARY KEY,
            sandbox_id text NOT NULL,
            timestamp  bigint NOT NULL,
            level      integer NOT NULL,
            message    text NOT NULL,
            fields     jsonb NOT NULL
        );
        CREATE INDEX ix_sandbox_logs_sandbox_time ON sandbox_logs (sandbox_id, timestamp, seq);
        """,
        // network.allowOut / denyOut, as given (JSON arrays of strings).
        """
        ALTER TABLE sandboxes ADD COLUMN allow_out text NOT NULL DEFAULT '[]';
        ALTER TABLE sandboxes ADD COLUMN deny_out text NOT NULL DEFAULT '[]';
        """,
        // Ingress settings: who may reach a sandbox's ports, and the Host header they see.
        """
        ALTER TABLE sandboxes ADD COLUMN allow_public_traffic boolean NOT NULL DEFAULT true;
        ALTER TABLE sandboxes ADD COLUMN traffic_access_token text;
        ALTER TABLE sandboxes ADD COLUMN mask_request_host text;
        """,
        // How a paused sandbox is kept (memory or files only; a paused record before this was frozen), what its
        // auto-pause keeps, and the snapshot it was made from.
        """
        ALTER TABLE sandboxes ADD COLUMN paused_as text;
        ALTER TABLE sandboxes ADD COLUMN auto_pause_memory boolean NOT NULL DEFAULT true;
        ALTER TABLE sandboxes ADD COLUMN snapshot_id text;
        UPDATE sandboxes SET paused_as = 'memory' WHERE state = 'paused';
        """,
        // network.httpsPorts (a JSON array of port numbers).
        """
        ALTER TABLE sandboxes ADD COLUMN https_ports text NOT NULL DEFAULT '[]';
        """,
    ];

    private readonly NpgsqlDataSource _dataSource;
    private readonly SemaphoreSlim _migrated = new(1, 1);
    private bool _ready;

    /// <summary>Connects with <paramref name="connectionString"/> (an Npgsql connection string).</summary>
    public PostgresDatabase(string connectionString) => _dataSource = NpgsqlDataSource.Create(connectionString);

    internal async Task<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (!_ready)
        {
            await MigrateAsync(cancellationToken);
        }

        return await _dataSource.OpenConnectionAsync(cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _dataSource.DisposeAsync();
        _migrated.Dispose();
    }

    private async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await _migrated.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }

            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({MigrationLock});", cancellationToken);
            await ExecuteAsync(connection, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL);", cancellationToken);
            await using var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version;", connection);
            var applied = Convert.ToInt32(await read.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
            if (applied > s_steps.Length)
            {
                throw new InvalidOperationException($"The database schema is version {applied}, newer than this server understands ({s_steps.Length}).");
            }

            for (var version = applied + 1; version <= s_steps.Length; version++)
            {
                await ExecuteAsync(connection, s_steps[version - 1] + $"\nINSERT INTO schema_version (version) VALUES ({version});", cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            _ready = true;
        }
        finally
        {
            _migrated.Release();
        }
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
