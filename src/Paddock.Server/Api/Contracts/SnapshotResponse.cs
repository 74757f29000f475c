using System.Text.Json.Serialization;
using Paddock.Core.Snapshots;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>SnapshotInfo</c>: a snapshot's id and names; <c>sizeBytes</c> (what its own layer holds) is Paddock's.</summary>
internal sealed record SnapshotResponse(
    [property: JsonPropertyName("snapshotID")] string SnapshotId,
    [property: JsonPropertyName("names")] IReadOnlyList<string> Names,
    [property: JsonPropertyName("sandboxID")] string SandboxId,
    [property: JsonPropertyName("createdAt")] string CreatedAt,
    [property: JsonPropertyName("sizeBytes")] long SizeBytes)
{
    public static SnapshotResponse From(SnapshotRecord s) => new(s.Id, s.Names, s.SandboxId, WireTime.Format(s.CreatedAt), s.SizeBytes);
}

/// <summary>One entry of E2B's fork answer: exactly one of a sandbox or an error.</summary>
internal sealed record ForkEntry(
    [property: JsonPropertyName("sandbox"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] SandboxResponse? Sandbox,
    [property: JsonPropertyName("error"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApiError? Error);
