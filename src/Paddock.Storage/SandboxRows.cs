using System.Data.Common;
using System.Text.Json;
using Paddock.Core.Sandboxes;

namespace Paddock.Storage;

/// <summary>
/// A sandbox record as a row, the same for every store: times as UTC ticks (they round-trip exactly),
/// metadata and environment variables as JSON text, the state and kill reason by name.
/// </summary>
internal static class SandboxRows
{
    public const string Columns =
        "id, template_id, alias, state, started_at, end_at, paused_at, ended_at, created_at, metadata, env_vars, auto_pause, " +
        "auto_resume, secure, envd_access_token, allow_internet_access, cpu_count, memory_mb, disk_size_mb, envd_version, " +
        "kill_reason, kill_message, allow_out, deny_out, allow_public_traffic, traffic_access_token, mask_request_host, paused_as, auto_pause_memory, snapshot_id, https_ports";

    /// <summary>The parameter names of <see cref="Columns"/>, in order (a store may cast some, as PostgreSQL's JSON).</summary>
    public static readonly string[] Parameters = Columns.Split(", ").Select(c => "@" + c).ToArray();

    public static void Bind(DbCommand command, SandboxRecord r)
    {
        Add(command, "@id", r.Id);
        Add(command, "@template_id", r.TemplateId);
        Add(command, "@alias", r.Alias);
        Add(command, "@state", StateName(r.State));
        Add(command, "@started_at", r.StartedAt.UtcTicks);
        Add(command, "@end_at", r.EndAt?.UtcTicks);
        Add(command, "@paused_at", r.PausedAt?.UtcTicks);
        Add(command, "@ended_at", r.EndedAt?.UtcTicks);
        Add(command, "@created_at", r.CreatedAt.UtcTicks);
        Add(command, "@metadata", JsonSerializer.Serialize(r.Metadata, StoreJson.Default.IReadOnlyDictionaryStringString));
        Add(command, "@env_vars", JsonSerializer.Serialize(r.EnvVars, StoreJson.Default.IReadOnlyDictionaryStringString));
        Add(command, "@auto_pause", r.AutoPause);
        Add(command, "@auto_resume", r.AutoResume);
        Add(command, "@secure", r.Secure);
        Add(command, "@envd_access_token", r.EnvdAccessToken);
        Add(command, "@allow_internet_access", r.AllowInternetAccess);
        Add(command, "@cpu_count", r.CpuCount);
        Add(command, "@memory_mb", r.MemoryMB);
        Add(command, "@disk_size_mb", r.DiskSizeMB);
        Add(command, "@envd_version", r.EnvdVersion);
        Add(command, "@kill_reason", r.KillReason?.ToString());
        Add(command, "@kill_message", r.KillMessage);
        Add(command, "@allow_out", JsonSerializer.Serialize(r.AllowOut, StoreJson.Default.IReadOnlyListString));
        Add(command, "@deny_out", JsonSerializer.Serialize(r.DenyOut, StoreJson.Default.IReadOnlyListString));
        Add(command, "@allow_public_traffic", r.AllowPublicTraffic);
        Add(command, "@traffic_access_token", r.TrafficAccessToken);
        Add(command, "@mask_request_host", r.MaskRequestHost);
        Add(command, "@paused_as", r.PausedAs?.ToString().ToLowerInvariant());
        Add(command, "@auto_pause_memory", r.AutoPauseMemory);
        Add(command, "@snapshot_id", r.SnapshotId);
        Add(command, "@https_ports", JsonSerializer.Serialize(r.HttpsPorts, StoreJson.Default.IReadOnlyListInt32));
    }

    public static SandboxRecord Read(DbDataReader x) => new()
    {
        Id = x.GetString(0),
        TemplateId = x.GetString(1),
        Alias = x.IsDBNull(2) ? null : x.GetString(2),
        State = Enum.Parse<SandboxState>(x.GetString(3), ignoreCase: true),
        StartedAt = FromTicks(x.GetInt64(4)),
        EndAt = OptionalTime(x, 5),
        PausedAt = OptionalTime(x, 6),
        EndedAt = OptionalTime(x, 7),
        CreatedAt = FromTicks(x.GetInt64(8)),
        Metadata = JsonSerializer.Deserialize(x.GetString(9), StoreJson.Default.DictionaryStringString) ?? [],
        EnvVars = JsonSerializer.Deserialize(x.GetString(10), StoreJson.Default.DictionaryStringString) ?? [],
        AutoPause = x.GetBoolean(11),
        AutoResume = x.GetBoolean(12),
        Secure = x.GetBoolean(13),
        EnvdAccessToken = x.IsDBNull(14) ? null : x.GetString(14),
        AllowInternetAccess = x.IsDBNull(15) ? null : x.GetBoolean(15),
        CpuCount = x.GetInt32(16),
        MemoryMB = x.GetInt32(17),
        DiskSizeMB = x.GetInt32(18),
        EnvdVersion = x.GetString(19),
        KillReason = x.IsDBNull(20) ? null : Enum.Parse<KillReason>(x.GetString(20)),
        KillMessage = x.IsDBNull(21) ? null : x.GetString(21),
        AllowOut = JsonSerializer.Deserialize(x.GetString(22), StoreJson.Default.ListString) ?? [],
        DenyOut = JsonSerializer.Deserialize(x.GetString(23), StoreJson.Default.ListString) ?? [],
        AllowPublicTraffic = x.GetBoolean(24),
        TrafficAccessToken = x.IsDBNull(25) ? null : x.GetString(25),
        MaskRequestHost = x.IsDBNull(26) ? null : x.GetString(26),
        PausedAs = x.IsDBNull(27) ? null : Enum.Parse<PauseKind>(x.GetString(27), ignoreCase: true),
        AutoPauseMemory = x.GetBoolean(28),
        SnapshotId = x.IsDBNull(29) ? null : x.GetString(29),
        HttpsPorts = JsonSerializer.Deserialize(x.GetString(30), StoreJson.Default.ListInt32) ?? [],
    };

    public static async Task<List<SandboxRecord>> ReadAllAsync(DbCommand command, CancellationToken cancellationToken)
    {
        var list = new List<SandboxRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    public static string StateName(SandboxState state) => state.ToString().ToLowerInvariant();

    public static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }

    public static DateTimeOffset FromTicks(long ticks) => new(ticks, TimeSpan.Zero);

    private static DateTimeOffset? OptionalTime(DbDataReader x, int column) => x.IsDBNull(column) ? null : FromTicks(x.GetInt64(column));
}
