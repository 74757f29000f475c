using System.Globalization;
using Paddock.Core.Errors;
using Paddock.Core.Lifecycle;
using Paddock.Server.Api.Contracts;

namespace Paddock.Server.Api.Sandboxes;

/// <summary>
/// <c>GET /sandboxes/{id}/metrics?start=&amp;end=</c> (unix seconds): the sandbox's CPU, memory and disk now,
/// as the host's kernel accounts them (its cgroups and its disk quota; nothing the sandbox reports itself).
/// Paddock keeps no history, so the answer holds that one sample when it falls in the window. A paused sandbox
/// has one too: frozen, no CPU and its memory still held; on disk, no CPU and no memory, and in both its layer's
/// disk, which it holds while paused as while it runs.
/// </summary>
internal static class GetSandboxMetrics
{
    public static async Task<IResult> HandleAsync(string sandboxId, HttpRequest request, LifecycleService lifecycle, CancellationToken cancellationToken)
    {
        var id = SandboxRoute.Id(sandboxId);
        var start = Seconds(request, "start");
        var end = Seconds(request, "end");
        var usage = await lifecycle.GetUsageAsync(id, cancellationToken);
        var at = usage?.Timestamp.ToUnixTimeSeconds();
        if (usage is null || start is { } from && at < from || end is { } to && at > to)
        {
            return Results.Json(new List<SandboxMetric>(), ApiJson.Wire.ListSandboxMetric);
        }

        var metric = new SandboxMetric(
            WireTime.Format(usage.Timestamp),
            usage.Timestamp.ToUnixTimeSeconds(),
            usage.CpuCount,
            Math.Round(usage.CpuUsedPercent, 2),
            usage.MemoryUsedBytes,
            usage.MemoryTotalBytes,
            usage.MemoryCacheBytes,
            usage.DiskUsedBytes,
            usage.DiskTotalBytes);
        return Results.Json(new List<SandboxMetric> { metric }, ApiJson.Wire.ListSandboxMetric);
    }

    private static long? Seconds(HttpRequest request, string name)
    {
        var raw = request.Query[name].ToString();
        if (raw.Length == 0)
        {
            return null;
        }

        return long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)
            ? seconds
            : throw new PaddockException(ErrorKind.InvalidArgument, $"'{name}' must be a unix time in seconds, not '{raw}'");
    }
}
