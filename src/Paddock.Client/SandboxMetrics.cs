using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>One sample of a sandbox's resource use.</summary>
/// <param name="Timestamp">When it was taken.</param>
/// <param name="CpuCount">CPUs the sandbox may use.</param>
/// <param name="CpuUsedPct">CPU used, in percent of <paramref name="CpuCount"/> CPUs.</param>
/// <param name="MemUsed">Memory used, in bytes.</param>
/// <param name="MemTotal">Memory the sandbox may use, in bytes.</param>
/// <param name="DiskUsed">Disk used by the sandbox's writable layer, in bytes.</param>
/// <param name="DiskTotal">Disk available to it, in bytes.</param>
public sealed record SandboxMetrics(
    DateTimeOffset Timestamp,
    int CpuCount,
    double CpuUsedPct,
    long MemUsed,
    long MemTotal,
    long DiskUsed,
    long DiskTotal)
{
    internal static SandboxMetrics FromJson(JsonNode json) => new(
        DateTimeOffset.Parse(json["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
        json["cpuCount"]?.GetValue<int>() ?? 0,
        json["cpuUsedPct"]?.GetValue<double>() ?? 0,
        json["memUsed"]?.GetValue<long>() ?? 0,
        json["memTotal"]?.GetValue<long>() ?? 0,
        json["diskUsed"]?.GetValue<long>() ?? 0,
        json["diskTotal"]?.GetValue<long>() ?? 0);
}
