using System.Globalization;
using System.Text.Json.Nodes;

namespace Paddock.Agent.Interpreter;

/// <summary>
/// The lines of E2B's <c>/execute</c> stream made from a kernel's messages: the execution count, output
/// as it is printed, results in every format the kernel gives, and the first error.
/// </summary>
internal static class ExecutionOutput
{
    // MIME types and the result field each becomes; anything else goes to "extra".
    private static readonly Dictionary<string, string> s_formats = new(StringComparer.Ordinal)
    {
        ["text/plain"] = "text",
        ["text/html"] = "html",
        ["text/markdown"] = "markdown",
        ["image/svg+xml"] = "svg",
        ["image/png"] = "png",
        ["image/jpeg"] = "jpeg",
        ["application/pdf"] = "pdf",
        ["text/latex"] = "latex",
        ["application/json"] = "json",
        ["application/javascript"] = "javascript",
        ["e2b/data"] = "data",
        ["e2b/chart"] = "chart",
    };

    // What python/paddock_display.py hands over for the sandbox's log.
    private const string LogFormat = "paddock/log";

    /// <summary>The line for a kernel message, or null for messages that make none.</summary>
    public static JsonObject? LineFor(JupyterMessage message) => message.Type switch
    {
        "execute_input" => new JsonObject { ["type"] = "number_of_executions", ["execution_count"] = message.Content["execution_count"]?.DeepClone() },
        "stream" => new JsonObject
        {
            ["type"] = message.Content["name"]?.GetValue<string>() == "stderr" ? "stderr" : "stdout",
            ["text"] = Bounded(message.Content["text"]?.GetValue<string>() ?? string.Empty),
            ["timestamp"] = Now(),
        },
        "execute_result" => Result(message.Content["data"] as JsonObject, isMain: true),
        "display_data" => Result(message.Content["data"] as JsonObject, isMain: false),
        "error" => Error(
            message.Content["ename"]?.GetValue<string>() ?? "Error",
            message.Content["evalue"]?.GetValue<string>() ?? string.Empty,
            string.Join('\n', (message.Content["traceback"] as JsonArray ?? []).Select(t => t?.GetValue<string>()))),
        _ => null,
    };

    // One chunk of printed output is forwarded up to this size, as Jupyter's own server limits output rates:
    // a cell that prints hundreds of megabytes at once must not make the agent hold several copies of them.
    private const int MaxStreamText = 1 << 20;

    private static string Bounded(string text) => text.Length <= MaxStreamText
        ? text
        : string.Concat(text.AsSpan(0, MaxStreamText), $"\n[{(text.Length - MaxStreamText).ToString(CultureInfo.InvariantCulture)} more characters of this output were dropped]\n");

    public static JsonObject Error(string name, string value, string traceback) =>
        new() { ["type"] = "error", ["name"] = name, ["value"] = value, ["traceback"] = traceback };

    public static JsonObject Keepalive() => new() { ["type"] = "keepalive" };

    public static JsonObject End() => new() { ["type"] = "end_of_execution" };

    private static JsonObject Result(JsonObject? data, bool isMain)
    {
        var result = new JsonObject { ["type"] = "result", ["is_main_result"] = isMain };
        JsonObject? extra = null;
        foreach (var (mime, value) in data ?? [])
        {
            if (value is null)
            {
                continue;
            }

            if (mime == LogFormat)
            {
                // A note from the kernel's display extension (a chart it could not read): for the log, not the client.
                AgentLog.Warn(value is JsonValue note && note.TryGetValue<string>(out var message) ? message : value.ToJsonString(), ("source", "code interpreter"));
                continue;
            }

            if (!s_formats.TryGetValue(mime, out var field))
            {
                (extra ??= [])[mime] = value.DeepClone();
                continue;
            }

            result[field] = field == "text" && value is JsonValue text && text.TryGetValue<string>(out var plain)
                ? StripQuotes(plain)
                : value.DeepClone();
        }

        if (extra is not null)
        {
            result["extra"] = extra;
        }

        return result;
    }

    // E2B's server hands out a string result's text/plain without the repr quotes ('abc' -> abc).
    private static string StripQuotes(string text) =>
        text.Length >= 2 && (text[0] == '\'' || text[0] == '"') && text[^1] == text[0] ? text[1..^1] : text;

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
