using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>What a sandbox did: its log (<c>GET /v2/sandboxes/{id}/logs</c>) and its resource use (<c>GET /sandboxes/{id}/metrics</c>).</summary>
public partial class Sandbox
{
    /// <summary>
    /// The sandbox's log: what the platform did to it and what its agent saw inside, in time order
    /// (newest first with <see cref="SandboxLogQuery.Backward"/>). Logs outlive the sandbox.
    /// </summary>
    public virtual Task<IReadOnlyList<SandboxLogEntry>> GetLogsAsync(SandboxLogQuery? query = null, CancellationToken cancellationToken = default) =>
        GetLogsAsync(_api, SandboxId, query, cancellationToken);

    /// <summary>A sandbox's log by id, also once it has been killed.</summary>
    public static Task<IReadOnlyList<SandboxLogEntry>> GetLogsAsync(
        string sandboxId, SandboxLogQuery? query = null, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        GetLogsAsync(ControlPlane.For(connection), sandboxId, query, cancellationToken);

    /// <summary>
    /// The sandbox's CPU, memory and disk use, sampled when asked: one sample while it runs (none while it is
    /// paused, or when the sample falls outside <paramref name="start"/>..<paramref name="end"/>).
    /// </summary>
    public virtual Task<IReadOnlyList<SandboxMetrics>> GetMetricsAsync(DateTimeOffset? start = null, DateTimeOffset? end = null, CancellationToken cancellationToken = default) =>
        GetMetricsAsync(_api, SandboxId, start, end, cancellationToken);

    /// <summary>A sandbox's CPU, memory and disk use, by id.</summary>
    public static Task<IReadOnlyList<SandboxMetrics>> GetMetricsAsync(
        string sandboxId, DateTimeOffset? start = null, DateTimeOffset? end = null, ConnectionOptions? connection = null, CancellationToken cancellationToken = default) =>
        GetMetricsAsync(ControlPlane.For(connection), sandboxId, start, end, cancellationToken);

    private static async Task<IReadOnlyList<SandboxMetrics>> GetMetricsAsync(
        ControlPlane api, string sandboxId, DateTimeOffset? start, DateTimeOffset? end, CancellationToken cancellationToken)
    {
        var path = $"sandboxes/{Escape(sandboxId)}/metrics" + QueryString.Of(
            ("start", start?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)),
            ("end", end?.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture)));
        var (_, json, _) = await api.SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return (json as JsonArray ?? []).Select(sample => SandboxMetrics.FromJson(sample!)).ToList();
    }

    private static async Task<IReadOnlyList<SandboxLogEntry>> GetLogsAsync(
        ControlPlane api, string sandboxId, SandboxLogQuery? query, CancellationToken cancellationToken)
    {
        var path = $"v2/sandboxes/{Escape(sandboxId)}/logs" + QueryString.Of(
            ("cursor", query?.Cursor?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)),
            ("limit", query?.Limit?.ToString(CultureInfo.InvariantCulture)),
            ("direction", query?.Backward == true ? "backward" : null),
            ("level", query?.MinLevel?.ToString().ToLowerInvariant()),
            ("search", query?.Search));
        var (_, json, _) = await api.SendAsync(HttpMethod.Get, path, null, cancellationToken).ConfigureAwait(false);
        return (json?["logs"] as JsonArray ?? []).Select(entry => SandboxLogEntry.FromJson(entry!)).ToList();
    }
}
