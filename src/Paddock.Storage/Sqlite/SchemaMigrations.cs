using Microsoft.Data.Sqlite;

namespace Paddock.Storage.Sqlite;

/// <summary>Ordered schema steps; the database records how many it has applied.</summary>
internal static class SchemaMigrations
{
    private static readonly string[] s_steps =
    [
        """
        CREATE TABLE sandboxes (
            id                    TEXT PRIMARY KEY,
            template_id           TEXT NOT NULL,
            alias                 TEXT,
            state                 TEXT NOT NULL,
            started_at            INTEGER NOT NULL,
            end_at                INTEGER NOT NULL,
            paused_at             INTEGER,
            created_at            INTEGER NOT NULL,
            metadata              TEXT NOT NULL,
            env_vars              TEXT NOT NULL,
            auto_pause            INTEGER NOT NULL,
            auto_resume           INTEGER NOT NULL,
            secure                INTEGER NOT NULL,
            envd_access_token     TEXT,
            allow_internet_access INTEGER,
            cpu_count             INTEGER NOT NULL,
            memory_mb             INTEGER NOT NULL,
            disk_size_mb          INTEGER NOT NULL,
            envd_version          TEXT NOT NULL,
            kill_reason           TEXT,
            kill_message          TEXT
        );
        CREATE INDEX ix_sandboxes_state_started ON sandboxes (state, started_at DESC, id);
        CREATE TABLE api_keys (
            hash       TEXT PRIMARY KEY,
            label      TEXT NOT NULL,
            created_at INTEGER NOT NULL
        );
        """,
        """
        CREATE TABLE sandbox_logs (
            seq        INTEGER PRIMARY KEY AUTOINCREMENT,
            sandbox_id TEXT NOT NULL,
            timestamp  INTEGER NOT NULL,
            level      INTEGER NOT NULL,
            message    TEXT NOT NULL,
            fields     TEXT NOT NULL
        );
        CREATE INDEX ix_sandbox_logs_sandbox_time ON sandbox_logs (sandbox_id, timestamp, seq);
        """,
        // end_at becomes when the sandbox times out only (none while it is created); ended_at, when it was killed.
        """
        CREATE TABLE sandboxes_v3 (
            id                    TEXT PRIMARY KEY,
            template_id           TEXT NOT NULL,
            alias                 TEXT,
            state                 TEXT NOT NULL,
            started_at            INTEGER NOT NULL,
            end_at                INTEGER,
            paused_at             INTEGER,
            ended_at              INTEGER,
            created_at            INTEGER NOT NULL,
            metadata              TEXT NOT NULL,
            env_vars              TEXT NOT NULL,
            auto_pause            INTEGER NOT NULL,
            auto_resume           INTEGER NOT NULL,
            secure                INTEGER NOT NULL,
            envd_access_token     TEXT,
            allow_internet_access INTEGER,
            cpu_count             INTEGER NOT NULL,
            memory_mb             INTEGER NOT NULL,
            disk_size_mb          INTEGER NOT NULL,
            envd_version          TEXT NOT NULL,
            kill_reason           TEXT,
            kill_message          TEXT
        );
        INSERT INTO sandboxes_v3
        SELECT id, template_id, alias, state, started_at,
               CASE WHEN state = 'creating' THEN NULL ELSE end_at END, paused_at,
               CASE WHEN state = 'killed' THEN end_at END,
               created_at, metadata, env_vars, auto_pause, auto_resume, secure, envd_access_token, allow_internet_access,
               cpu_count, memory_mb, disk_size_mb, envd_version, kill_reason, kill_message
        FROM sandboxes;
        DROP TABLE sandboxes;
        ALTER TABLE sandboxes_v3 RENAME TO sandboxes;
        CREATE INDEX ix_sandboxes_state_started ON sandboxes (state, started_at DESC, id);
        """,
        // network.allowOut / denyOut, as given (JSON arrays of strings).
        """
        ALTER TABLE sandboxes ADD COLUMN allow_out TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE sandboxes ADD COLUMN deny_out TEXT NOT NULL DEFAULT '[]';
        """,
        // Ingress settings: who may reach a sandbox's ports, and the Host header they see.
        """
        ALTER TABLE sandboxes ADD COLUMN allow_public_traffic INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sandboxes ADD COLUMN traffic_access_token TEXT;
        ALTER TABLE sandboxes ADD COLUMN mask_request_host TEXT;
        """,
        // How a paused sandbox is kept (memory or files only; a paused record before this was frozen), what its
        // auto-pause keeps, and the snapshot it was made from.
        """
        ALTER TABLE sandboxes ADD COLUMN paused_as TEXT;
        ALTER TABLE sandboxes ADD COLUMN auto_pause_memory INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE sandboxes ADD COLUMN snapshot_id TEXT;
        UPDATE sandboxes SET paused_as = 'memory' WHERE state = 'paused';
        """,
        // network.httpsPorts (a JSON array of port numbers).
        """
        ALTER TABLE sandboxes ADD COLUMN https_ports TEXT NOT NULL DEFAULT '[]';
        """,
    ];

    public static void Apply(SqliteConnection connection)
    {
        SqliteDatabase.Execute(connection, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);");
        using var read = connection.CreateCommand();
        read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version;";
        var applied = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (applied > s_steps.Length)
        {
            throw new InvalidOperationException(
                $"The database schema is version {applied}, newer than this server understands ({s_steps.Length}).");
        }

        for (var version = applied + 1; version <= s_steps.Length; version++)
        {
            using var transaction = connection.BeginTransaction();
            using var step = connection.CreateCommand();
            step.Transaction = transaction;
            step.CommandText = s_steps[version - 1] + $"\nINSERT INTO schema_version (version) VALUES ({version});";
            step.ExecuteNonQuery();
            transaction.Commit();
        }
    }
}
