using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary>What the commands print: tables and relative times for people, JSON for scripts.</summary>
internal static class Output
{
    // JSON for a terminal or a file, not for an HTML page: '+', '<', '&' and non-ASCII text stay as they are
    // (the default encoder writes "\u002B" for '+'); quotes and control characters are still escaped.
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Json(JsonNode node) => Console.Out.WriteLine(node.ToJsonString(s_indented));

    public static JsonObject ToJson(SandboxInfo info) => ToJson(SandboxRow.From(info));

    public static JsonObject ToJson(SandboxRow row)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in row.Metadata)
        {
            metadata[key] = value;
        }

        var json = new JsonObject
        {
            ["sandboxId"] = row.SandboxId,
            ["templateId"] = row.TemplateId,
            ["name"] = row.Name,
            ["state"] = row.State,
            ["startedAt"] = row.StartedAt.ToString("O", CultureInfo.InvariantCulture),
            ["endAt"] = row.EndAt.ToString("O", CultureInfo.InvariantCulture),
            ["cpuCount"] = row.CpuCount,
            ["memoryMB"] = row.MemoryMB,
            ["metadata"] = metadata,
        };
        if (row.KillReason is not null)
        {
            json["killReason"] = row.KillReason;
        }

        if (row.PausedAs is not null)
        {
            json["pausedAs"] = row.PausedAs;
        }

        return json;
    }

    public static void Table(IEnumerable<SandboxRow> sandboxes)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var column in new[] { "SANDBOX ID", "TEMPLATE", "STATE", "STARTED", "ENDS", "METADATA" })
        {
            table.AddColumn(column);
        }

        var now = DateTimeOffset.UtcNow;
        foreach (var s in sandboxes)
        {
            table.AddRow(
                Markup.Escape(s.SandboxId),
                Markup.Escape(s.Name ?? s.TemplateId),
                State(s.State, s.PausedAs),
                Relative(s.StartedAt - now),
                s.State switch
                {
                    "paused" => "-",
                    "killed" => Markup.Escape($"{Relative(s.EndAt - now)} ({s.KillReason ?? "?"})"),
                    _ => Relative(s.EndAt - now),
                },
                Markup.Escape(string.Join(", ", s.Metadata.Select(m => $"{m.Key}={m.Value}"))));
        }

        AnsiConsole.Write(table);
    }

    public static void Details(SandboxInfo info)
    {
        var grid = new Grid().AddColumn().AddColumn();
        var now = DateTimeOffset.UtcNow;
        grid.AddRow("Sandbox", Markup.Escape(info.SandboxId));
        grid.AddRow("Template", Markup.Escape(info.Name is null ? info.TemplateId : $"{info.Name} ({info.TemplateId})"));
        grid.AddRow("State", State(info.State == SandboxState.Paused ? "paused" : "running", SandboxRow.PauseKindName(info.PausedAs)));
        grid.AddRow("Started", $"{info.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} ({Relative(info.StartedAt - now)})");
        grid.AddRow("Ends", info.State == SandboxState.Paused ? "-" : $"{info.EndAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} ({Relative(info.EndAt - now)})");
        grid.AddRow("Resources", info.DiskSizeMB is { } disk ? $"{info.CpuCount} CPU, {info.MemoryMB} MiB, {disk} MiB disk" : $"{info.CpuCount} CPU, {info.MemoryMB} MiB");
        grid.AddRow("Metadata", Markup.Escape(string.Join(", ", info.Metadata.Select(m => $"{m.Key}={m.Value}"))));
        AnsiConsole.Write(grid);
    }

    /// <summary>"in 4 minutes", "12 seconds ago".</summary>
    public static string Relative(TimeSpan offset)
    {
        var span = offset.Duration();
        var text = span.TotalSeconds < 60 ? $"{span.TotalSeconds:0} seconds"
            : span.TotalMinutes < 60 ? $"{span.TotalMinutes:0} minutes"
            : span.TotalHours < 48 ? $"{span.TotalHours:0} hours"
            : $"{span.TotalDays:0} days";
        return offset >= TimeSpan.Zero ? "in " + text : text + " ago";
    }

    // A paused sandbox on disk says so: resuming it is a cold boot, and its processes are gone.
    private static string State(string state, string? pausedAs = null) => state switch
    {
        "paused" when pausedAs == "filesystem" => "[yellow]paused (on disk)[/]",
        "paused" => "[yellow]paused[/]",
        "killed" => "[grey]killed[/]",
        _ => "[green]running[/]",
    };
}
