using System.Text.Json.Serialization;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>TemplateAliasResponse</c>: which template an alias names.</summary>
internal sealed record TemplateAliasResponse(
    [property: JsonPropertyName("templateID")] string TemplateId,
    [property: JsonPropertyName("public")] bool Public);
