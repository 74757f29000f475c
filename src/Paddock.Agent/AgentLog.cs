using System.Buffers;
using System.Text.Json;

namespace Paddock.Agent;

/// <summary>
/// The agent's log: one JSON object per line on stderr, which the runtime keeps as the sandbox's log
/// (<c>{"timestamp","level","message","fields":{…}}</c>, the shape of E2B's SandboxLogEntry). Stderr is
/// a file on the host, so a write is one cheap syscall and needs no logging framework (start-up cost).
/// </summary>
internal static class AgentLog
{
    // Long values (a command line, a stack trace) are cut so one entry stays readable and bounded.
    private const int MaxValueLength = 4096;

    private static readonly Stream s_stderr = Console.OpenStandardError();
    private static readonly Lock s_gate = new();

    public static void Info(string message, params ReadOnlySpan<(string Key, string? Value)> fields) => Write("info", message, fields);

    public static void Warn(string message, params ReadOnlySpan<(string Key, string? Value)> fields) => Write("warn", message, fields);

    public static void Error(string message, params ReadOnlySpan<(string Key, string? Value)> fields) => Write("error", message, fields);

    private static void Write(string level, string message, ReadOnlySpan<(string Key, string? Value)> fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("timestamp", DateTimeOffset.UtcNow);
            json.WriteString("level", level);
            json.WriteString("message", Cut(message));
            json.WriteStartObject("fields");
            foreach (var (key, value) in fields)
            {
                if (value is not null)
                {
                    json.WriteString(key, Cut(value));
                }
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        // One write per entry, newline included, so a reader never sees half of one.
        buffer.Write("\n"u8);
        try
        {
            lock (s_gate)
            {
                s_stderr.Write(buffer.WrittenSpan);
            }
        }
        catch (IOException)
        {
            // A log that cannot be written must not take a request down with it.
        }
    }

    private static string Cut(string value) => value.Length <= MaxValueLength ? value : value[..MaxValueLength] + "…";
}
