using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>What the API knows about a sandbox.</summary>
/// <param name="SandboxId">The sandbox's id.</param>
/// <param name="TemplateId">The template it was created from.</param>
/// <param name="Name">The template alias it was created with, if any.</param>
/// <param name="Metadata">The labels given at creation.</param>
/// <param name="StartedAt">When it (last) started running.</param>
/// <param name="EndAt">When it will be killed or paused, unless the timeout changes.</param>
/// <param name="State">Running or paused.</param>
/// <param name="CpuCount">CPUs it may use.</param>
/// <param name="MemoryMB">Memory it may use, in MiB.</param>
public sealed record SandboxInfo(
    string SandboxId,
    string TemplateId,
    string? Name,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset StartedAt,
    DateTimeOffset EndAt,
    SandboxState State,
    int CpuCount,
    int MemoryMB)
{
    /// <summary>Whether it may reach the internet (null when the listing did not say).</summary>
    public bool? AllowInternetAccess { get; init; }

    /// <summary>Its outbound rules, when it has any.</summary>
    public SandboxNetwork? Network { get; init; }

    /// <summary>Whether anyone may reach its ports (<see cref="SandboxOptions.AllowPublicTraffic"/>); null when the server does not say.</summary>
    public bool? AllowPublicTraffic { get; init; }

    /// <summary>The <c>Host</c> its servers see (<see cref="SandboxOptions.MaskRequestHost"/>); null: the caller's.</summary>
    public string? MaskRequestHost { get; init; }

    /// <summary>Its ports whose servers speak HTTPS (<see cref="SandboxOptions.HttpsPorts"/>).</summary>
    public IReadOnlyList<int> HttpsPorts { get; init; } = [];

    /// <summary>
    /// How a paused sandbox is kept: <see cref="SandboxPauseKind.Memory"/> (frozen) or <see cref="SandboxPauseKind.Filesystem"/>
    /// (its files only; a resume boots it afresh). Null when it is not paused, or the server does not say (E2B's cloud).
    /// </summary>
    public SandboxPauseKind? PausedAs { get; init; }

    /// <summary>The most its writable layer may hold, in MiB (its disk quota), paused or running; null when the server does not say.</summary>
    public int? DiskSizeMB { get; init; }

    internal static SandboxInfo FromJson(JsonNode json)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in json["metadata"] as JsonObject ?? [])
        {
            metadata[key] = value?.GetValue<string>() ?? string.Empty;
        }

        return new SandboxInfo(
            json["sandboxID"]!.GetValue<string>(),
            json["templateID"]!.GetValue<string>(),
            json["alias"]?.GetValue<string>(),
            metadata,
            Time(json["startedAt"]),
            Time(json["endAt"]),
            json["state"]?.GetValue<string>() switch
            {
                "paused" => SandboxState.Paused,
                "killed" => SandboxState.Killed,
                _ => SandboxState.Running,
            },
            json["cpuCount"]?.GetValue<int>() ?? 0,
            json["memoryMB"]?.GetValue<int>() ?? 0)
        {
            AllowInternetAccess = json["allowInternetAccess"]?.GetValue<bool>(),
            PausedAs = json["pausedAs"]?.GetValue<string>() switch
            {
                "memory" => SandboxPauseKind.Memory,
                "filesystem" => SandboxPauseKind.Filesystem,
                _ => null,
            },
            DiskSizeMB = json["diskSizeMB"]?.GetValue<int>(),
            Network = json["network"] is JsonObject network
                ? new SandboxNetwork
                {
                    AllowOut = [.. (network["allowOut"] as JsonArray ?? []).Select(v => v!.GetValue<string>())],
                    DenyOut = [.. (network["denyOut"] as JsonArray ?? []).Select(v => v!.GetValue<string>())],
                }
                : null,
            AllowPublicTraffic = json["network"]?["allowPublicTraffic"]?.GetValue<bool>(),
            MaskRequestHost = json["network"]?["maskRequestHost"]?.GetValue<string>(),
            HttpsPorts = [.. (json["network"]?["httpsPorts"] as JsonArray ?? []).Select(v => v!.GetValue<int>())],
        };
    }

    /// <summary>The sandbox in one line: id, state, template, when it ends, and its metadata.</summary>
    /// <returns>For example <c>SandboxInfo { SandboxId = i3f…, State = Running, Template = base, EndAt = 2026-11-30T12:05:00Z, Metadata = { owner = me } }</c>.</returns>
    public override string ToString() =>
        $"SandboxInfo {{ SandboxId = {SandboxId}, State = {State}, Template = {Name ?? TemplateId}, EndAt = {EndAt.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}, Metadata = {{ {string.Join(", ", Metadata.Select(m => $"{m.Key} = {m.Value}"))} }} }}";

    private static DateTimeOffset Time(JsonNode? value) =>
        DateTimeOffset.Parse(value!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}
