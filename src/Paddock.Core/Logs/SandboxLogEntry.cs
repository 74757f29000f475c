namespace Paddock.Core.Logs;

/// <summary>
/// One line of a sandbox's log: what the platform did to it (created, paused, killed and why) or what
/// its agent saw inside (processes started and ended, failures).
/// </summary>
/// <param name="Timestamp">When it happened.</param>
/// <param name="Level">How severe it is.</param>
/// <param name="Message">What happened, for people.</param>
/// <param name="Fields">Structured detail (always includes <c>source</c>: <c>paddock</c> or <c>agent</c>).</param>
public sealed record SandboxLogEntry(
    DateTimeOffset Timestamp,
    SandboxLogLevel Level,
    string Message,
    IReadOnlyDictionary<string, string> Fields);
