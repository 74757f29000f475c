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
    [property: JsonPropertyName("killReason"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? KillReason = null,
    [property: JsonPropertyName("pausedAs"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PausedAs = null)
{
    /// <summary>
    /// A killed sandbox (listed with <c>state=killed</c>) also says why it ended, and a paused one how it is kept:
    /// <c>memory</c> (frozen) or <c>filesystem</c> (files only; a resume boots it cold). Both are Paddock's fields.
    /// </summary>
    public static ListedSandbox From(SandboxRecord r) => new(
        r.TemplateId, r.Id, r.Alias, SandboxResponse.FixedClientId, WireTime.Format(r.StartedAt), WireTime.Format(EndAtOf(r)),
        r.CpuCount, r.MemoryMB, r.DiskSizeMB, StateName(r.State), r.EnvdVersion, r.Metadata, [], r.KillReason?.Code(),
        r.PausedAs?.ToString().ToLowerInvariant());

    public static string StateName(SandboxState state) => state.ToString().ToLowerInvariant();

    // E2B's endAt: when a running sandbox times out, when a paused one was paused, when a killed one ended.
    private static DateTimeOffset EndAtOf(SandboxRecord r) => r.State switch
    {
        SandboxState.Paused => r.PausedAt ?? r.StartedAt,
        SandboxState.Killed => r.EndedAt ?? r.StartedAt,
        _ => r.EndAt ?? r.StartedAt,
    };
}

/// <summary>A volume mounted into a sandbox (none yet; the field is required on the wire).</summary>
internal sealed record VolumeMount(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("path")] string Path);
