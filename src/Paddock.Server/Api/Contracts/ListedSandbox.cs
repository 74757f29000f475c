using System.Text.Json.Serialization;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>ListedSandbox</c>.</summary>
internal record ListedSandbox(
    [property: JsonPropertyName("templateID")] string TemplateId,
    [property: JsonPropertyName("sandboxID")] string SandboxId,
    [property: JsonPropertyName("alias")] string? Alias,
    [property: JsonPropertyName("clientID")] string ClientId,
    [property: JsonPropertyName("startedAt")] string StartedAt,
    [property: JsonPropertyName("endAt")] string EndAt,
    [property: JsonPropertyName("cpuCount")] int CpuCount,
    [property: JsonPropertyName("memoryMB")] int MemoryMB,
    [property: JsonPropertyName("diskSizeMB")] int DiskSizeMB,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("envdVersion")] string EnvdVersion,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string> Metadata,
    [property: JsonPropertyName("volumeMounts")] IReadOnlyList<VolumeMount> VolumeMounts,
    [property: JsonPropertyName("killReason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KillReason = null)
{
    /// <summary>A killed sandbox (listed with <c>state=killed</c>) also says why it ended (Paddock's field).</summary>
    public static ListedSandbox From(SandboxRecord r) => new(
        r.TemplateId, r.Id, r.Alias, SandboxResponse.FixedClientId, WireTime.Format(r.StartedAt), WireTime.Format(r.EndAt),
        r.CpuCount, r.MemoryMB, r.DiskSizeMB, StateName(r.State), r.EnvdVersion, r.Metadata, [], r.KillReason?.Code());

    public static string StateName(SandboxState state) => state.ToString().ToLowerInvariant();
}

/// <summary>A volume mounted into a sandbox (none yet; the field is required on the wire).</summary>
internal sealed record VolumeMount(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("path")] string Path);
