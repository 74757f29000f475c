using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary>What the commands print: tables and relative times for people, JSON for scripts.</summary>
internal static class Output
{
    private static readonly JsonSerializerOptions s_indented = new() { WriteIndented = true };

    public static void Json(JsonNode node) => Console.Out.WriteLine(node.ToJsonString(s_indented));

    public static JsonObject ToJson(SandboxInfo info)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in info.Metadata)
        {
            metadata[key] = value;
        }

        return new JsonObject
        {
            ["sandboxId"] = info.SandboxId,
            ["templateId"] = info.TemplateId,
            ["name"] = info.Name,
            ["state"] = info.State == SandboxState.Paused ? "paused" : "running",
            ["startedAt"] = info.StartedAt.ToString("O", CultureInfo.InvariantCulture),
            ["endAt"] = info.EndAt.ToString("O", CultureInfo.InvariantCulture),
            ["cpuCount"] = info.CpuCount,
            ["memoryMB"] = info.MemoryMB,
            ["metadata"] = metadata,
        };
    }

    public static void Table(IEnumerable<SandboxInfo> sandboxes)
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
                s.State == SandboxState.Paused ? "[yellow]paused[/]" : "[green]running[/]",
                Relative(s.StartedAt - now),
                s.State == SandboxState.Paused ? "-" : Relative(s.EndAt - now),
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
        grid.AddRow("State", info.State == SandboxState.Paused ? "[yellow]paused[/]" : "[green]running[/]");
        grid.AddRow("Started", $"{info.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} ({Relative(info.StartedAt - now)})");
        grid.AddRow("Ends", info.State == SandboxState.Paused ? "-" : $"{info.EndAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} ({Relative(info.EndAt - now)})");
        grid.AddRow("Resources", $"{info.CpuCount} CPU, {info.MemoryMB} MiB");
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
}
