using System.Text.Json.Serialization;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>SandboxNetworkConfig</c> as <c>GET /sandboxes/{id}</c> reports it: who may reach the sandbox's ports and the Host they see.</summary>
internal sealed record SandboxNetwork(
    [property: JsonPropertyName("allowPublicTraffic")] bool AllowPublicTraffic,
    [property: JsonPropertyName("maskRequestHost"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MaskRequestHost)
{
    public static SandboxNetwork From(SandboxRecord r) => new(r.AllowPublicTraffic, r.MaskRequestHost);
}
