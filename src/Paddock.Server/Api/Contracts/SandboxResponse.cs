using System.Text.Json.Serialization;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>Sandbox</c>: the answer to create, connect and resume.</summary>
internal sealed record SandboxResponse(
    [property: JsonPropertyName("templateID")] string TemplateId,
    [property: JsonPropertyName("sandboxID")] string SandboxId,
    [property: JsonPropertyName("alias")] string? Alias,
    [property: JsonPropertyName("clientID")] string ClientId,
    [property: JsonPropertyName("envdVersion")] string EnvdVersion,
    [property: JsonPropertyName("envdAccessToken")] string? EnvdAccessToken,
    [property: JsonPropertyName("trafficAccessToken")] string? TrafficAccessToken,
    [property: JsonPropertyName("domain")] string? Domain)
{
    /// <summary>E2B's deprecated client id; hosted E2B always answers this value and SDKs require the field.</summary>
    public const string FixedClientId = "6532622b";

    public static SandboxResponse From(SandboxRecord r) =>
        new(r.TemplateId, r.Id, r.Alias, FixedClientId, r.EnvdVersion, r.EnvdAccessToken, r.AllowPublicTraffic ? null : r.TrafficAccessToken, null);
}
