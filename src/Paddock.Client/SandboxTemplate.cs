using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>A template sandboxes can be created from.</summary>
/// <param name="TemplateId">Its id (what <see cref="SandboxOptions.Template"/> takes, as do its aliases).</param>
/// <param name="Aliases">Other names for it.</param>
/// <param name="BuildId">Its current build.</param>
/// <param name="BuildStatus"><c>ready</c>, <c>building</c>, <c>waiting</c> (built on first use) or <c>error</c>.</param>
/// <param name="CpuCount">CPUs a sandbox of it gets.</param>
/// <param name="MemoryMB">Memory a sandbox of it gets, in MiB.</param>
public sealed record SandboxTemplate(string TemplateId, IReadOnlyList<string> Aliases, string BuildId, string BuildStatus, int CpuCount, int MemoryMB)
{
    /// <summary>The templates of the server.</summary>
    public static async Task<IReadOnlyList<SandboxTemplate>> ListAsync(ConnectionOptions? connection = null, CancellationToken cancellationToken = default)
    {
        var (_, json, _) = await ControlPlane.For(connection).SendAsync(HttpMethod.Get, "templates", null, cancellationToken).ConfigureAwait(false);
        return (json as JsonArray ?? []).Select(t => new SandboxTemplate(
            t!["templateID"]!.GetValue<string>(),
            (t["aliases"] as JsonArray ?? []).Select(a => a!.GetValue<string>()).ToList(),
            t["buildID"]?.GetValue<string>() ?? string.Empty,
            t["buildStatus"]?.GetValue<string>() ?? "ready",
            t["cpuCount"]?.GetValue<int>() ?? 0,
            t["memoryMB"]?.GetValue<int>() ?? 0)).ToList();
    }
}
