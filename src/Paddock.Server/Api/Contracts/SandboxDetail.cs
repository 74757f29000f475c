using System.Text.Json.Serialization;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>SandboxDetail</c>: <see cref="ListedSandbox"/> and the sandbox's settings.</summary>
internal sealed record SandboxDetail(
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
    [property: JsonPropertyName("envdAccessToken")] string? EnvdAccessToken,
    [property: JsonPropertyName("allowInternetAccess")] bool? AllowInternetAccess,
    [property: JsonPropertyName("domain")] string? Domain,
    [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string> Metadata,
    [property: JsonPropertyName("volumeMounts")] IReadOnlyList<VolumeMount> VolumeMounts,
    [property: JsonPropertyName("lifecycle")] SandboxLifecycle Lifecycle)
{
    public static SandboxDetail From(SandboxRecord r) => new(
        r.TemplateId, r.Id, r.Alias, SandboxResponse.FixedClientId, WireTime.Format(r.StartedAt), WireTime.Format(r.EndAt),
        r.CpuCount, r.MemoryMB, r.DiskSizeMB, ListedSandbox.StateName(r.State), r.EnvdVersion, r.EnvdAccessToken,
        // Sandboxes have only loopback networking for now, whatever was asked.
        AllowInternetAccess: false,
        Domain: null,
        r.Metadata, [], new SandboxLifecycle(r.AutoResume, r.AutoPause ? "pause" : "kill"));
}

/// <summary>What happens to a sandbox on timeout and on traffic while paused.</summary>
internal sealed record SandboxLifecycle(
    [property: JsonPropertyName("autoResume")] bool AutoResume,
    [property: JsonPropertyName("onTimeout")] string OnTimeout);
