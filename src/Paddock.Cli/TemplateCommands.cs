using System.CommandLine;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary><c>paddock template list</c>.</summary>
internal static class TemplateCommands
{
    public static Command Build(Func<ParseResult, ConnectionOptions> connection)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON" };
        var list = new Command("list", "List the templates sandboxes can be created from") { json };
        list.Aliases.Add("ls");
        list.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var templates = await SandboxTemplate.ListAsync(connection(parse), ct);
            if (parse.GetValue(json))
            {
                Output.Json(new JsonArray([.. templates.Select(t => (JsonNode)new JsonObject
                {
                    ["templateId"] = t.TemplateId,
                    ["aliases"] = new JsonArray([.. t.Aliases.Select(a => (JsonNode)JsonValue.Create(a))]),
                    ["buildId"] = t.BuildId,
                    ["buildStatus"] = t.BuildStatus,
                    ["cpuCount"] = t.CpuCount,
                    ["memoryMB"] = t.MemoryMB,
                })]));
                return;
            }

            var table = new Table().Border(TableBorder.Simple).AddColumns("TEMPLATE", "ALIASES", "STATUS", "CPU", "MEMORY");
            foreach (var t in templates)
            {
                table.AddRow(Markup.Escape(t.TemplateId), Markup.Escape(string.Join(", ", t.Aliases)), t.BuildStatus, $"{t.CpuCount}", $"{t.MemoryMB} MiB");
            }

            AnsiConsole.Write(table);
        }));

        var template = new Command("template", "Templates") { list };
        return template;
    }
}
