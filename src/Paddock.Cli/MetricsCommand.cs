using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock sandbox metrics ID</c>: the sandbox's CPU, memory and disk use now; a paused one uses no CPU, and its
/// disk (and, frozen, its memory) while paused as while it runs.
/// </summary>
internal static class MetricsCommand
{
    private const double MiB = 1024 * 1024;

    public static Command Build(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON (for scripts)" };
        var metrics = new Command("metrics", "Show a sandbox's CPU, memory and disk use") { id, json };
        metrics.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var sandboxId = parse.GetValue(id)!;
            var samples = await Sandbox.GetMetricsAsync(sandboxId, connection: connection(parse), cancellationToken: ct);
            if (parse.GetValue(json))
            {
                Output.Json(new JsonArray([.. samples.Select(s => (JsonNode)new JsonObject
                {
                    ["timestamp"] = s.Timestamp.ToString("O", CultureInfo.InvariantCulture),
                    ["cpuCount"] = s.CpuCount,
                    ["cpuUsedPct"] = s.CpuUsedPct,
                    ["memUsed"] = s.MemUsed,
                    ["memTotal"] = s.MemTotal,
                    ["diskUsed"] = s.DiskUsed,
                    ["diskTotal"] = s.DiskTotal,
                })]));
                return;
            }

            if (samples.Count == 0)
            {
                await Console.Error.WriteLineAsync($"paddock: no metrics for sandbox {sandboxId} right now (it was paused, resumed or killed while it was measured)");
                return;
            }

            var table = new Table().Border(TableBorder.Simple).AddColumns("TIME", "CPU", "MEMORY", "DISK");
            foreach (var s in samples)
            {
                table.AddRow(
                    s.Timestamp.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                    string.Create(CultureInfo.InvariantCulture, $"{s.CpuUsedPct:0.0}% of {s.CpuCount}"),
                    string.Create(CultureInfo.InvariantCulture, $"{s.MemUsed / MiB:0.0} / {s.MemTotal / MiB:0} MiB"),
                    string.Create(CultureInfo.InvariantCulture, $"{s.DiskUsed / MiB:0.0} / {s.DiskTotal / MiB:0} MiB"));
            }

            AnsiConsole.Write(table);
        }));
        return metrics;
    }
}
