using System.Text.Json.Serialization;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>SandboxLogEntry</c>: one structured log entry.</summary>
internal sealed record SandboxLogEntryResponse(
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("level")] string Level,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("fields")] IReadOnlyDictionary<string, string> Fields);

/// <summary>E2B's <c>SandboxLogsV2Response</c>.</summary>
internal sealed record SandboxLogsV2Response(
    [property: JsonPropertyName("logs")] IReadOnlyList<SandboxLogEntryResponse> Logs);

/// <summary>E2B's deprecated <c>SandboxLog</c>: a timestamped line.</summary>
internal sealed record SandboxLogLine(
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("line")] string Line);

/// <summary>E2B's deprecated <c>SandboxLogs</c>: the entries as lines and as structured entries.</summary>
internal sealed record SandboxLogsV1Response(
    [property: JsonPropertyName("logs")] IReadOnlyList<SandboxLogLine> Logs,
    [property: JsonPropertyName("logEntries")] IReadOnlyList<SandboxLogEntryResponse> LogEntries);
