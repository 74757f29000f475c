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
    private const int StandardError = 2;

    private static readonly Lock s_gate = new();
    private static long s_limit;

    /// <summary>
    /// The host caps the log's file (a quota the kernel enforces, <paramref name="bytes"/>): the agent starts the
    /// file afresh, with an entry saying so, before it gets there, so the latest entries are always kept.
    /// </summary>
    public static void LimitTo(long bytes) => Volatile.Write(ref s_limit, bytes);

    public static void Info(string message, params ReadOnlySpan<(string Key, string? Value)> fields) => Write("info", message, fields);

    public static void Warn(string message, params ReadOnlySpan<(string Key, string? Value)> fields) => Write("warn", message, fields);

    public static void Error(string message, params ReadOnlySpan<(string Key, string? Value)> fields) => Write("error", message, fields);

    private static void Write(string level, string message, ReadOnlySpan<(string Key, string? Value)> fields)
    {
        var entry = Format(level, message, fields);
        lock (s_gate)
        {
            if (StartAfreshIfFull(entry.Length))
            {
                WriteAll(Format("warn", "Earlier log entries were dropped: the log reached its size limit", []));
            }

            WriteAll(entry);
        }
    }

    // One write per entry, newline included, so a reader never sees half of one.
    private static byte[] Format(string level, string message, ReadOnlySpan<(string Key, string? Value)> fields)
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

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    // A log that cannot be written must not take a request down with it: a failed write is dropped.
    private static void WriteAll(ReadOnlySpan<byte> entry) => _ = Process.Native.WriteAll(StandardError, entry);

    // Only a regular file is started afresh (in tests stderr is a pipe), at three quarters of the limit: the
    // quota counts the filesystem's own blocks too, and a full quota would refuse even the truncation.
    private static bool StartAfreshIfFull(int adding)
    {
        var limit = Volatile.Read(ref s_limit);
        return limit > 0
            && Process.Native.RegularFileSize(StandardError) is { } size
            && size + adding >= limit / 4 * 3
            && Process.Native.Truncate(StandardError);
    }

    private static string Cut(string value) => value.Length <= MaxValueLength ? value : value[..MaxValueLength] + "…";
}
