using System.Text.Json.Serialization;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Contracts;

/// <summary>
/// E2B's <c>SandboxNetworkConfig</c> as <c>GET /sandboxes/{id}</c> reports it: what the sandbox's outbound
/// traffic may reach (as given), who may reach its ports, the Host they see and which of them speak HTTPS.
/// </summary>
internal sealed record SandboxNetwork(
    [property: JsonPropertyName("allowPublicTraffic")] bool AllowPublicTraffic,
    [property: JsonPropertyName("maskRequestHost"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MaskRequestHost,
    [property: JsonPropertyName("allowOut"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? AllowOut,
    [property: JsonPropertyName("denyOut"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<string>? DenyOut,
    [property: JsonPropertyName("httpsPorts"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<int>? HttpsPorts)
{
    public static SandboxNetwork From(SandboxRecord r) => new(
        r.AllowPublicTraffic,
        r.MaskRequestHost,
        r.AllowOut.Count > 0 ? r.AllowOut : null,
        r.DenyOut.Count > 0 ? r.DenyOut : null,
        r.HttpsPorts.Count > 0 ? r.HttpsPorts : null);
}
