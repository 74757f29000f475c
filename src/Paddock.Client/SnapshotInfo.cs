using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// A snapshot: a sandbox's files as they were when it was taken, which new sandboxes start from (its id or a name
/// where a template goes: <see cref="SandboxOptions.Template"/>). It outlives the sandbox it was taken from.
/// </summary>
/// <param name="SnapshotId">Its id (<c>&lt;id&gt;:default</c>, or <c>name:tag</c> for a named one): what creates and deletes take.</param>
/// <param name="Names">Its names without the tag; empty for an unnamed snapshot.</param>
public sealed record SnapshotInfo(string SnapshotId, IReadOnlyList<string> Names)
{
    /// <summary>The sandbox it was taken from; null when the server does not say (E2B's cloud).</summary>
    public string? SandboxId { get; init; }

    /// <summary>When it was taken; null when the server does not say.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>The bytes its own layer holds on the server's disk (what it adds over what it stands on); null when the server does not say.</summary>
    public long? SizeBytes { get; init; }

    internal static SnapshotInfo FromJson(JsonNode json) => new(
        json["snapshotID"]!.GetValue<string>(),
        [.. (json["names"] as JsonArray ?? []).Select(n => n!.GetValue<string>())])
    {
        SandboxId = json["sandboxID"]?.GetValue<string>(),
        CreatedAt = json["createdAt"]?.GetValue<string>() is { } created
            ? DateTimeOffset.Parse(created, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null,
        SizeBytes = json["sizeBytes"]?.GetValue<long>(),
    };
}
