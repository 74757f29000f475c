using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// A sandbox as the CLI prints it: from the SDK's <see cref="SandboxInfo"/> (running, paused) or from the API's
/// JSON for killed sandboxes, which the SDK cannot express (they also say why they ended). A paused one says how
/// it is kept (<c>memory</c> or <c>filesystem</c>).
/// </summary>
internal sealed record SandboxRow(
    string SandboxId,
    string TemplateId,
    string? Name,
    string State,
    DateTimeOffset StartedAt,
    DateTimeOffset EndAt,
    int CpuCount,
    int MemoryMB,
    IReadOnlyDictionary<string, string> Metadata,
    string? KillReason = null,
    string? PausedAs = null)
{
    public static SandboxRow From(SandboxInfo info) => new(
        info.SandboxId, info.TemplateId, info.Name, info.State == SandboxState.Paused ? "paused" : "running",
        info.StartedAt, info.EndAt, info.CpuCount, info.MemoryMB, info.Metadata, PausedAs: PauseKindName(info.PausedAs));

    /// <summary>How a paused sandbox is kept, as the API names it: <c>memory</c> (frozen) or <c>filesystem</c> (on disk).</summary>
    public static string? PauseKindName(SandboxPauseKind? kind) => kind switch
    {
        SandboxPauseKind.Memory => "memory",
        SandboxPauseKind.Filesystem => "filesystem",
        _ => null,
    };

    /// <summary>From an entry of <c>GET /v2/sandboxes</c> (E2B's <c>ListedSandbox</c>, with Paddock's <c>killReason</c>).</summary>
    public static SandboxRow FromJson(JsonNode json)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in json["metadata"] as JsonObject ?? [])
        {
            metadata[key] = value?.GetValue<string>() ?? string.Empty;
        }

        return new SandboxRow(
            json["sandboxID"]!.GetValue<string>(),
            json["templateID"]?.GetValue<string>() ?? string.Empty,
            json["alias"]?.GetValue<string>(),
            json["state"]?.GetValue<string>() ?? "running",
            Time(json["startedAt"]),
            Time(json["endAt"]),
            json["cpuCount"]?.GetValue<int>() ?? 0,
            json["memoryMB"]?.GetValue<int>() ?? 0,
            metadata,
            json["killReason"]?.GetValue<string>(),
            json["pausedAs"]?.GetValue<string>());
    }

    private static DateTimeOffset Time(JsonNode? value) => value?.GetValue<string>() is { } text
        ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
        : DateTimeOffset.MinValue;
}
