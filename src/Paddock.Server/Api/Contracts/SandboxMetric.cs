using System.Text.Json.Serialization;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>SandboxMetric</c>: one sample of a sandbox's CPU, memory and disk use.</summary>
internal sealed record SandboxMetric(
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("timestampUnix")] long TimestampUnix,
    [property: JsonPropertyName("cpuCount")] int CpuCount,
    [property: JsonPropertyName("cpuUsedPct")] double CpuUsedPct,
    [property: JsonPropertyName("memUsed")] long MemUsed,
    [property: JsonPropertyName("memTotal")] long MemTotal,
    [property: JsonPropertyName("memCache")] long MemCache,
    [property: JsonPropertyName("diskUsed")] long DiskUsed,
    [property: JsonPropertyName("diskTotal")] long DiskTotal);
