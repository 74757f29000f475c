using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock sandbox logs ID</c>: what the platform did to a sandbox and what its agent saw inside, oldest
/// first; <c>--tail</c> for the newest few, <c>--follow</c> to keep printing until the sandbox ends.
/// </summary>
internal static class LogsCommand
{
    private const int PageSize = 1000;
    private static readonly TimeSpan s_pollInterval = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions s_readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static Command Build(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var level = new Option<string>("--level", "-l") { Description = "Only entries at this level or above", DefaultValueFactory = _ => "info" };
        level.AcceptOnlyFromAmong("debug", "info", "warn", "error");
        var search = new Option<string?>("--search", "-s") { Description = "Only entries whose message or a field contains this (case-sensitive)" };
        var tail = new Option<int?>("--tail", "-n") { Description = "Only the newest N entries (1 to 1000)" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new entries until the sandbox ends (Ctrl+C stops)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per entry and line (for scripts)" };

        var logs = new Command("logs", "Show a sandbox's log, also after it was killed") { id, level, search, tail, follow, json };
        logs.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var sandboxId = parse.GetValue(id)!;
            var options = connection(parse);
            var filter = new SandboxLogQuery
            {
                MinLevel = Enum.Parse<SandboxLogLevel>(parse.GetValue(level)!, ignoreCase: true),
                Search = parse.GetValue(search),
            };
            var print = parse.GetValue(json) ? (Action<SandboxLogEntry>)PrintJson : PrintLine;
            var printed = new PrintedEntries();

            if (parse.GetValue(tail) is { } newest)
            {
                var page = await Sandbox.GetLogsAsync(sandboxId, filter with { Backward = true, Limit = newest }, options, ct);
                printed.PrintAll(page.Reverse(), print);
            }
            else
            {
                await PrintFromAsync(sandboxId, filter, options, printed, print, ct);
            }

            if (parse.GetValue(follow))
            {
                await FollowAsync(sandboxId, filter, options, printed, print, ct);
            }
        }));
        return logs;
    }

    // Pages forward from the cursor until a page comes back short.
    private static async Task PrintFromAsync(
        string sandboxId, SandboxLogQuery filter, ConnectionOptions options, PrintedEntries printed, Action<SandboxLogEntry> print, CancellationToken ct)
    {
        while (true)
        {
            var page = await Sandbox.GetLogsAsync(sandboxId, filter with { Cursor = printed.Cursor, Limit = PageSize }, options, ct);
            var fresh = printed.PrintAll(page, print);
            if (page.Count < PageSize || fresh == 0)
            {
                return;
            }
        }
    }

    private static async Task FollowAsync(
        string sandboxId, SandboxLogQuery filter, ConnectionOptions options, PrintedEntries printed, Action<SandboxLogEntry> print, CancellationToken ct)
    {
        try
        {
            while (true)
            {
                await Task.Delay(s_pollInterval, ct);
                var ended = false;
                try
                {
                    await Sandbox.GetInfoAsync(sandboxId, options, ct);
                }
                catch (Exception ex) when (CliErrors.IsSandboxNotFound(ex))
                {
                    // Killed: print what it logged up to the end, then stop.
                    ended = true;
                }

                await PrintFromAsync(sandboxId, filter, options, printed, print, ct);
                if (ended)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C ends following; that is success.
        }
    }

    private static void PrintLine(SandboxLogEntry entry)
    {
        var color = entry.Level switch
        {
            SandboxLogLevel.Error => "red",
            SandboxLogLevel.Warn => "yellow",
            SandboxLogLevel.Debug => "grey",
            _ => "blue",
        };
        var source = entry.Fields.GetValueOrDefault("source", "?");
        var fields = string.Join(' ', entry.Fields.Where(f => f.Key != "source").Select(f => $"{f.Key}={Quote(f.Value)}"));
        AnsiConsole.MarkupLine(
            $"[grey]{entry.Timestamp.ToLocalTime():yyyy-MM-dd HH:mm:ss.fff}[/] [{color}]{entry.Level.ToString().ToUpperInvariant(),-5}[/] " +
            $"[grey]{Markup.Escape(source),-7}[/] {Markup.Escape(entry.Message)}" + (fields.Length > 0 ? $"  [grey]{Markup.Escape(fields)}[/]" : string.Empty));
    }

    private static void PrintJson(SandboxLogEntry entry)
    {
        var fields = new JsonObject();
        foreach (var (key, value) in entry.Fields)
        {
            fields[key] = value;
        }

        var line = new JsonObject
        {
            ["timestamp"] = entry.Timestamp.ToString("O", CultureInfo.InvariantCulture),
            ["level"] = entry.Level.ToString().ToLowerInvariant(),
            ["message"] = entry.Message,
            ["fields"] = fields,
        };
        Console.Out.WriteLine(line.ToJsonString(s_readable));
    }

    private static string Quote(string value) =>
        value.Length > 0 && !value.Any(c => char.IsWhiteSpace(c) || c == '"') ? value : JsonSerializer.Serialize(value, s_readable);

    /// <summary>
    /// What has been printed, so polling from the last entry's millisecond (the API's cursor unit) does not
    /// print that millisecond's entries twice.
    /// </summary>
    private sealed class PrintedEntries
    {
        private readonly HashSet<SandboxLogEntry> _atCursor = new(new EntryComparer());

        public DateTimeOffset? Cursor { get; private set; }

        /// <summary>Prints the entries not printed before; returns how many that was.</summary>
        public int PrintAll(IEnumerable<SandboxLogEntry> entries, Action<SandboxLogEntry> print)
        {
            var count = 0;
            foreach (var entry in entries)
            {
                var millisecond = DateTimeOffset.FromUnixTimeMilliseconds(entry.Timestamp.ToUnixTimeMilliseconds());
                if (Cursor is { } cursor && (millisecond < cursor || (millisecond == cursor && _atCursor.Contains(entry))))
                {
                    continue;
                }

                if (millisecond != Cursor)
                {
                    Cursor = millisecond;
                    _atCursor.Clear();
                }

                _atCursor.Add(entry);
                print(entry);
                count++;
            }

            return count;
        }
    }

    private sealed class EntryComparer : IEqualityComparer<SandboxLogEntry>
    {
        public bool Equals(SandboxLogEntry? x, SandboxLogEntry? y) =>
            x is not null && y is not null && x.Timestamp == y.Timestamp && x.Level == y.Level && x.Message == y.Message
            && x.Fields.Count == y.Fields.Count && x.Fields.All(f => y.Fields.TryGetValue(f.Key, out var v) && v == f.Value);

        public int GetHashCode(SandboxLogEntry obj) => HashCode.Combine(obj.Timestamp, obj.Message);
    }
}
