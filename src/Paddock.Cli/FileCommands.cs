using System.CommandLine;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary><c>paddock sandbox files …</c>: list, print, upload and download a sandbox's files.</summary>
internal static class FileCommands
{
    public static Command Build(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var files = new Command("files", "Work with a sandbox's files");
        var path = new Argument<string>("path") { Description = "A path in the sandbox (relative to the user's home)" };
        var depth = new Option<int>("--depth") { Description = "How many levels to list", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print JSON" };

        var ls = new Command("ls", "List a directory") { id, path, depth, json };
        ls.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var sandbox = await LiveSandbox.AttachAsync(parse.GetValue(id)!, connection(parse), resume: false, ct);
            var entries = await sandbox.Files.ListAsync(parse.GetValue(path)!, parse.GetValue(depth), null, ct);
            if (parse.GetValue(json))
            {
                Output.Json(new JsonArray([.. entries.Select(e => (JsonNode)new JsonObject
                {
                    ["name"] = e.Name, ["path"] = e.Path, ["type"] = e.Type.ToString().ToLowerInvariant(), ["size"] = e.Size,
                    ["permissions"] = e.Permissions, ["owner"] = e.Owner,
                })]));
                return;
            }

            var table = new Table().Border(TableBorder.None).AddColumns("PERMISSIONS", "OWNER", "SIZE", "PATH");
            foreach (var e in entries)
            {
                table.AddRow(e.Permissions, Markup.Escape(e.Owner), e.Size.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(e.Path + (e.Type == EntryType.Directory ? "/" : string.Empty)));
            }

            AnsiConsole.Write(table);
        }));

        var cat = new Command("cat", "Print a file") { id, path };
        cat.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var sandbox = await LiveSandbox.AttachAsync(parse.GetValue(id)!, connection(parse), resume: false, ct);
            await using var stream = await sandbox.Files.OpenReadAsync(parse.GetValue(path)!, null, ct);
            await using var stdout = Console.OpenStandardOutput();
            await stream.CopyToAsync(stdout, ct);
        }));

        var local = new Argument<string>("local") { Description = "A local file" };
        var put = new Command("put", "Upload a local file to a path in the sandbox") { id, local, path };
        put.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var from = parse.GetValue(local)!;
            if (Directory.Exists(from))
            {
                throw new CliException(ExitCodes.InvalidArgument, $"{from} is a directory: put uploads one file");
            }

            if (!File.Exists(from))
            {
                throw new CliException(ExitCodes.NotFound, $"{from}: no such file");
            }

            var sandbox = await LiveSandbox.AttachAsync(parse.GetValue(id)!, connection(parse), resume: false, ct);
            await using var source = File.OpenRead(from);
            var entry = await sandbox.Files.WriteAsync(parse.GetValue(path)!, source, cancellationToken: ct);
            Console.Out.WriteLine(entry.Path);
        }));

        var get = new Command("get", "Download a file of the sandbox to a local path (into it, when it is a directory)") { id, path, local };
        get.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var remote = parse.GetValue(path)!;
            var to = parse.GetValue(local)!;

            // As cp does: into a directory, under the file's own name.
            if (Directory.Exists(to))
            {
                to = Path.Combine(to, Path.GetFileName(remote.TrimEnd('/')));
            }

            var sandbox = await LiveSandbox.AttachAsync(parse.GetValue(id)!, connection(parse), resume: false, ct);
            await using var stream = await sandbox.Files.OpenReadAsync(remote, null, ct);
            await using var target = File.Create(to);
            await stream.CopyToAsync(target, ct);
        }));

        files.Subcommands.Add(ls);
        files.Subcommands.Add(cat);
        files.Subcommands.Add(put);
        files.Subcommands.Add(get);
        return files;
    }
}
