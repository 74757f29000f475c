using System.Text.Json.Serialization;

namespace Paddock.Agent.Http;

/// <summary>envd's <c>GET /metrics</c> answer.</summary>
internal sealed record MetricsResponse(
    [property: JsonPropertyName("ts")] long Timestamp,
    [property: JsonPropertyName("cpu_count")] int CpuCount,
    [property: JsonPropertyName("cpu_used_pct")] double CpuUsedPct,
    [property: JsonPropertyName("mem_total")] long MemTotal,
    [property: JsonPropertyName("mem_used")] long MemUsed,
    [property: JsonPropertyName("mem_cache")] long MemCache,
    [property: JsonPropertyName("mem_total_mib")] long MemTotalMiB,
    [property: JsonPropertyName("mem_used_mib")] long MemUsedMiB,
    [property: JsonPropertyName("disk_used")] long DiskUsed,
    [property: JsonPropertyName("disk_total")] long DiskTotal);
