using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock snapshot create|list|delete</c>: a sandbox's files kept as a snapshot, which outlives it and which new
/// sandboxes start from (<c>paddock sandbox create --template SNAPSHOT</c>).
/// </summary>
internal static class SnapshotCommands
{
    private const double MiB = 1024 * 1024;

    public static Command Build(Func<ParseResult, ConnectionOptions> connection)
    {
        var snapshot = new Command("snapshot", "Snapshots of sandboxes' files, which new sandboxes start from");
        snapshot.Subcommands.Add(Create(connection));
        snapshot.Subcommands.Add(List(connection));
        snapshot.Subcommands.Add(Delete(connection));
        return snapshot;
    }

    private static Command Create(Func<ParseResult, ConnectionOptions> connection)
    {
        var id = new Argument<string>("sandbox-id") { Description = "The sandbox to take it from (running or paused; it stays so)" };
        var name = new Option<string?>("--name", "-n") { Description = "A name (name or name:tag) to create sandboxes from it by" };
        var json = new Option<bool>("--json") { Description = "Print JSON (for scripts)" };
        var create = new Command("create", "Take a snapshot of a sandbox's files and print its id") { id, name, json };
        create.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var taken = await Sandbox.CreateSnapshotAsync(parse.GetValue(id)!, parse.GetValue(name), connection(parse), ct);
            if (parse.GetValue(json))
            {
                Output.Json(ToJson(taken));
            }
            else
            {
                Console.Out.WriteLine(taken.SnapshotId);
            }
        }));
        return create;
    }

    private static Command List(Func<ParseResult, ConnectionOptions> connection)
    {
        var sandbox = new Option<string?>("--sandbox", "-s") { Description = "Only snapshots taken from this sandbox" };
        var name = new Option<string?>("--name", "-n") { Description = "Only snapshots with this name (name:tag for one tag)" };
        var json = new Option<bool>("--json") { Description = "Print JSON (for scripts)" };
        var list = new Command("list", "List snapshots, newest first") { sandbox, name, json };
        list.Aliases.Add("ls");
        list.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var snapshots = new List<SnapshotInfo>();
            var query = new SnapshotQuery { SandboxId = parse.GetValue(sandbox), Name = parse.GetValue(name) };
            await foreach (var item in Sandbox.ListSnapshots(query, connection(parse)).WithCancellation(ct))
            {
                snapshots.Add(item);
            }

            if (parse.GetValue(json))
            {
                Output.Json(new JsonArray([.. snapshots.Select(s => (JsonNode)ToJson(s))]));
                return;
            }

            var table = new Table().Border(TableBorder.Simple).AddColumns("SNAPSHOT ID", "SANDBOX", "TAKEN", "SIZE");
            var now = DateTimeOffset.UtcNow;
            foreach (var s in snapshots)
            {
                table.AddRow(
                    Markup.Escape(s.SnapshotId),
                    Markup.Escape(s.SandboxId ?? "-"),
                    s.CreatedAt is { } at ? Output.Relative(at - now) : "-",
                    s.SizeBytes is { } size ? string.Create(CultureInfo.InvariantCulture, $"{size / MiB:0.0} MiB") : "-");
            }

            AnsiConsole.Write(table);
        }));
        return list;
    }

    private static Command Delete(Func<ParseResult, ConnectionOptions> connection)
    {
        var id = new Argument<string>("snapshot") { Description = "The snapshot's id or name" };
        var delete = new Command("delete", "Delete a snapshot (refused while a sandbox or another snapshot stands on it)") { id };
        delete.Aliases.Add("rm");
        delete.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var snapshotId = parse.GetValue(id)!;
            if (!await Sandbox.DeleteSnapshotAsync(snapshotId, connection(parse), ct))
            {
                throw new CliException(ExitCodes.NotFound, $"snapshot {snapshotId} not found");
            }

            Console.Out.WriteLine($"snapshot {snapshotId} deleted");
        }));
        return delete;
    }

    private static JsonObject ToJson(SnapshotInfo s) => new()
    {
        ["snapshotId"] = s.SnapshotId,
        ["names"] = new JsonArray([.. s.Names.Select(n => (JsonNode)JsonValue.Create(n))]),
        ["sandboxId"] = s.SandboxId,
        ["createdAt"] = s.CreatedAt?.ToString("O", CultureInfo.InvariantCulture),
        ["sizeBytes"] = s.SizeBytes,
    };
}
