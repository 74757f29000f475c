using System.CommandLine;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary><c>paddock sandbox …</c>: create, list, inspect, pause, resume, time out, kill, exec, files, connect, logs, metrics, fork.</summary>
internal static class SandboxCommands
{
    private static readonly Option<bool> s_json = new("--json") { Description = "Print JSON (for scripts) instead of tables" };

    public static Command Build(Func<ParseResult, ConnectionOptions> connection)
    {
        var sandbox = new Command("sandbox", "Work with sandboxes");
        var id = new Argument<string>("id") { Description = "The sandbox's id" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds the sandbox lives", DefaultValueFactory = _ => 300 };

        sandbox.Subcommands.Add(Create(connection, timeout));
        sandbox.Subcommands.Add(List(connection));
        sandbox.Subcommands.Add(Info(connection, id));
        sandbox.Subcommands.Add(KillCommand.Build(connection));
        sandbox.Subcommands.Add(Pause(connection, id));
        sandbox.Subcommands.Add(Resume(connection, id, timeout));
        sandbox.Subcommands.Add(SetTimeout(connection, id));
        sandbox.Subcommands.Add(ExecCommand.Build(connection, id));
        sandbox.Subcommands.Add(FileCommands.Build(connection, id));
        sandbox.Subcommands.Add(ConnectCommand.Build(connection, id));
        sandbox.Subcommands.Add(LogsCommand.Build(connection, id));
        sandbox.Subcommands.Add(MetricsCommand.Build(connection, id));
        sandbox.Subcommands.Add(ForkCommand.Build(connection, id));
        return sandbox;
    }

    private static Command Create(Func<ParseResult, ConnectionOptions> connection, Option<int> timeout)
    {
        var template = new Option<string>("--template", "-t") { Description = "Template id or alias, or a snapshot's id or name", DefaultValueFactory = _ => "base" };
        var metadata = KeyValueOption.Create("--metadata", "-m", "A key=value label (repeatable)");
        var env = KeyValueOption.Create("--env", "-e", "A KEY=VALUE environment variable for everything run in the sandbox (repeatable)");
        var autoPause = new Option<bool>("--auto-pause") { Description = "Pause the sandbox when its timeout passes, instead of killing it" };
        var autoPauseToDisk = new Option<bool>("--auto-pause-to-disk") { Description = "With --auto-pause: keep its files only (no memory held while paused)" };
        var autoResume = new Option<bool>("--auto-resume") { Description = "With --auto-pause: resume it when traffic reaches it while paused" };
        var create = new Command("create", "Create a sandbox (from a template, or a snapshot's id or name) and print its id")
        {
            template, timeout, metadata, env, autoPause, autoPauseToDisk, autoResume, s_json,
        };
        create.Validators.Add(result =>
        {
            if ((result.GetValue(autoPauseToDisk) || result.GetValue(autoResume)) && !result.GetValue(autoPause))
            {
                result.AddError("--auto-pause-to-disk and --auto-resume go with --auto-pause");
            }
        });
        create.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var options = new SandboxOptions
            {
                Connection = connection(parse),
                Template = parse.GetValue(template)!,
                Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                Metadata = KeyValueOption.Pairs(parse.GetValue(metadata)),
                EnvVars = KeyValueOption.Pairs(parse.GetValue(env)),
                AutoPauseMemory = parse.GetValue(autoPauseToDisk) ? false : null,
                AutoResume = parse.GetValue(autoResume) ? true : null,
            };
            var created = await Spin(parse, "Creating a sandbox…", () => parse.GetValue(autoPause)
                ? Sandbox.BetaCreateAsync(autoPause: true, options, ct)
                : Sandbox.CreateAsync(options, ct));
            if (parse.GetValue(s_json))
            {
                Output.Json(Output.ToJson(await created.GetInfoAsync(ct)));
            }
            else
            {
                Console.Out.WriteLine(created.SandboxId);
            }
        }));
        return create;
    }

    private static Command List(Func<ParseResult, ConnectionOptions> connection)
    {
        var state = States();
        var metadata = KeyValueOption.Create("--metadata", "-m", "Only sandboxes with this key=value label (repeatable)");
        var list = new Command("list", "List running and paused sandboxes (--state killed for ended ones)") { state, metadata, s_json };
        list.Aliases.Add("ls");
        list.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var rows = await ListAsync(connection(parse), parse.GetValue(state), KeyValueOption.Pairs(parse.GetValue(metadata)), ct);
            if (parse.GetValue(s_json))
            {
                Output.Json(new JsonArray([.. rows.Select(r => (JsonNode)Output.ToJson(r))]));
            }
            else
            {
                Output.Table(rows);
            }
        }));
        return list;
    }

    /// <summary>The <c>--state</c> filter of list and kill --all: running, paused and (for list) killed.</summary>
    internal static Option<string[]> States(params string[] allowed)
    {
        allowed = allowed.Length > 0 ? allowed : ["running", "paused", "killed"];
        var state = new Option<string[]>("--state") { Description = $"Only sandboxes in this state: {string.Join(", ", allowed)} (repeatable)" };
        state.AcceptOnlyFromAmong(allowed);
        return state;
    }

    /// <summary>Sandboxes in the given states (running and paused when none); killed ones come from the API itself.</summary>
    internal static async Task<List<SandboxRow>> ListAsync(
        ConnectionOptions connection, string[]? states, IReadOnlyDictionary<string, string>? metadata, CancellationToken ct)
    {
        var rows = new List<SandboxRow>();
        if (states is { Length: > 0 } && states.Contains("killed"))
        {
            using var api = new RestApi(connection);
            await foreach (var sandbox in api.ListAsync(states.Distinct(), metadata, ct))
            {
                rows.Add(SandboxRow.FromJson(sandbox));
            }

            return rows;
        }

        var query = new SandboxQuery
        {
            State = states is { Length: > 0 } ? [.. states.Distinct().Select(s => s == "paused" ? SandboxState.Paused : SandboxState.Running)] : null,
            Metadata = metadata,
        };
        await foreach (var info in Sandbox.List(query, connection).WithCancellation(ct))
        {
            rows.Add(SandboxRow.From(info));
        }

        return rows;
    }

    private static Command Info(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var info = new Command("info", "Show a sandbox") { id, s_json };
        info.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var details = await Sandbox.GetInfoAsync(parse.GetValue(id)!, connection(parse), ct);
            if (parse.GetValue(s_json))
            {
                Output.Json(Output.ToJson(details));
            }
            else
            {
                Output.Details(details);
            }
        }));
        return info;
    }

    private static Command Pause(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var toDisk = new Option<bool>("--to-disk")
        {
            Description = "Keep its files only (E2B's keepMemory: false): its processes end, its memory is freed, and a resume boots it afresh",
        };
        var pause = new Command("pause", "Pause a sandbox (memory and files kept, or its files only with --to-disk); saying so if it already was") { id, toDisk };
        pause.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var sandboxId = parse.GetValue(id)!;
            var onDisk = parse.GetValue(toDisk);
            var paused = await Spin(parse, "Pausing…", () => Sandbox.PauseAsync(sandboxId, keepMemory: !onDisk, connection(parse), ct));
            Console.Out.WriteLine(
                !paused ? $"sandbox {sandboxId} was already paused"
                : onDisk ? $"sandbox {sandboxId} paused on disk (its files kept; a resume boots it afresh)"
                : $"sandbox {sandboxId} paused");
        }));
        return pause;
    }

    private static Command Resume(Func<ParseResult, ConnectionOptions> connection, Argument<string> id, Option<int> timeout)
    {
        var resume = new Command("resume", "Resume a paused sandbox for --timeout seconds; a running one is left as it is") { id, timeout };
        resume.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var sandboxId = parse.GetValue(id)!;
            var options = connection(parse);
            if ((await Sandbox.GetInfoAsync(sandboxId, options, ct)).State == SandboxState.Running)
            {
                // Connecting would extend its timeout: a resume of a running sandbox should change nothing.
                Console.Out.WriteLine($"sandbox {sandboxId} is already running (its timeout is unchanged)");
                return;
            }

            await Spin(parse, "Resuming…", () => Sandbox.ConnectAsync(sandboxId, TimeSpan.FromSeconds(parse.GetValue(timeout)), options, ct));
            Console.Out.WriteLine($"sandbox {sandboxId} resumed");
        }));
        return resume;
    }

    private static Command SetTimeout(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var seconds = new Argument<int>("seconds") { Description = "The new timeout, from now" };
        var setTimeout = new Command("timeout", "Set a sandbox's timeout, counted from now") { id, seconds };
        setTimeout.SetAction((parse, ct) => CliErrors.RunAsync(() =>
            Sandbox.SetTimeoutAsync(parse.GetValue(id)!, TimeSpan.FromSeconds(parse.GetValue(seconds)), connection(parse), ct)));
        return setTimeout;
    }

    /// <summary>A spinner while waiting, when a person is watching (not with --json or a redirected output).</summary>
    internal static async Task<T> Spin<T>(ParseResult parse, string status, Func<Task<T>> work)
    {
        if (parse.GetValue(s_json) || Console.IsOutputRedirected)
        {
            return await work();
        }

        return await AnsiConsole.Status().StartAsync(status, _ => work());
    }
}
