using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Client;

/// <summary>
/// One entry of a sandbox's log: something the platform did to the sandbox (created, paused, killed and
/// why) or something its agent saw inside it (a process started or exited, a failure).
/// </summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Level">How severe it is.</param>
/// <param name="Message">What happened.</param>
/// <param name="Fields">Structured detail, such as <c>pid</c>, <c>cmd</c> or <c>reason</c>; <c>source</c> says who logged it
/// (<c>paddock</c> for the platform, <c>agent</c> for the sandbox's agent).</param>
public sealed record SandboxLogEntry(
    DateTimeOffset Timestamp,
    SandboxLogLevel Level,
    string Message,
    IReadOnlyDictionary<string, string> Fields)
{
    internal static SandboxLogEntry FromJson(JsonNode json)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in json["fields"] as JsonObject ?? [])
        {
            fields[key] = value?.GetValue<string>() ?? string.Empty;
        }

        return new SandboxLogEntry(
            DateTimeOffset.Parse(json["timestamp"]!.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            json["level"]?.GetValue<string>() switch
            {
                "debug" => SandboxLogLevel.Debug,
                "warn" => SandboxLogLevel.Warn,
                "error" => SandboxLogLevel.Error,
                _ => SandboxLogLevel.Info,
            },
            json["message"]?.GetValue<string>() ?? string.Empty,
            fields);
    }
}
