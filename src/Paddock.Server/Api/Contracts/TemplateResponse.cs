using System.Text.Json.Serialization;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>Template</c> (the fields Paddock has).</summary>
internal sealed record TemplateResponse(
    [property: JsonPropertyName("templateID")] string TemplateId,
    [property: JsonPropertyName("buildID")] string BuildId,
    [property: JsonPropertyName("cpuCount")] int CpuCount,
    [property: JsonPropertyName("memoryMB")] int MemoryMB,
    [property: JsonPropertyName("public")] bool Public,
    [property: JsonPropertyName("aliases")] IReadOnlyList<string> Aliases,
    [property: JsonPropertyName("envdVersion")] string EnvdVersion,
    [property: JsonPropertyName("buildStatus")] string BuildStatus);
