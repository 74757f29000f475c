using System.Globalization;
using System.Text;
using Paddock.Core.Lifecycle;

namespace Paddock.Server.Api.Metrics;

/// <summary>
/// <c>GET /metrics</c>: the server's own figures in Prometheus' text format, for an operator's scraper (with the
/// API key in <c>X-API-Key</c>): sandboxes by state, and the disk held on the sandbox volume by running sandboxes,
/// by paused ones (frozen, or on disk) and by snapshots. E2B has no such route; envd's <c>/metrics</c> is a
/// sandbox's and is reached with the sandbox's headers or host name, never here.
/// </summary>
internal static class GetHostMetrics
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static async Task<IResult> HandleAsync(DiskAccounting accounting, CancellationToken cancellationToken)
    {
        var usage = await accounting.MeasureAsync(cancellationToken);
        var text = new StringBuilder();
        Gauge(text, "paddock_sandboxes", "Sandboxes, by state (a paused one by how it is kept: memory is frozen, filesystem is on disk).",
            ("state=\"running\"", usage.Running.Count),
            ("state=\"paused\",paused_as=\"memory\"", usage.Frozen.Count),
            ("state=\"paused\",paused_as=\"filesystem\"", usage.OnDisk.Count));
        Gauge(text, "paddock_sandbox_disk_bytes", "Bytes the sandboxes' writable layers hold on the sandbox volume, as their quotas count them, by state.",
            ("state=\"running\"", usage.Running.DiskBytes),
            ("state=\"paused\",paused_as=\"memory\"", usage.Frozen.DiskBytes),
            ("state=\"paused\",paused_as=\"filesystem\"", usage.OnDisk.DiskBytes));
        Gauge(text, "paddock_snapshots", "Snapshots kept (forks' own included).", (null, usage.Snapshots.Count));
        Gauge(text, "paddock_snapshot_disk_bytes", "Bytes the snapshots' layers hold on the sandbox volume, as counted when each was taken.", (null, usage.Snapshots.DiskBytes));
        return Results.Text(text.ToString(), ContentType);
    }

    private static void Gauge(StringBuilder text, string name, string help, params (string? Labels, long Value)[] samples)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n");
        foreach (var (labels, value) in samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{(labels is null ? string.Empty : "{" + labels + "}")} {value}\n");
        }
    }
}
