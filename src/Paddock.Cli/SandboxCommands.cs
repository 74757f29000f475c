using System.CommandLine;
using System.Text.Json.Nodes;
using Paddock.Client;
using Spectre.Console;

namespace Paddock.Cli;

/// <summary><c>paddock sandbox …</c>: create, list, inspect, pause, resume, time out, kill, exec, files, connect, logs.</summary>
internal static class SandboxCommands
{
    private static readonly Option<bool> s_json = new("--json") { Description = "Print JSON (for scripts) instead of tables" };

    public static Command Build(Func<ParseResult, ConnectionOptions> connection)
    {
        var sandbox = new Command("sandbox", "Work with sandboxes");
        var id = new Argument<string>("id") { Description = "The sandbox's id" };

        var template = new Option<string>("--template", "-t") { Description = "Template id or alias", DefaultValueFactory = _ => "base" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds the sandbox lives", DefaultValueFactory = _ => 300 };
        var metadata = new Option<string[]>("--metadata", "-m") { Description = "A key=value label (repeatable)", AllowMultipleArgumentsPerToken = false };
        var create = new Command("create", "Create a sandbox and print its id") { template, timeout, metadata, s_json };
        create.SetAction((parse, ct) => Run(async () =>
        {
            var options = new SandboxOptions
            {
                Connection = connection(parse),
                Template = parse.GetValue(template)!,
                Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)),
                Metadata = Pairs(parse.GetValue(metadata)),
            };
            var created = await Spin(parse, "Creating a sandbox…", () => Sandbox.CreateAsync(options, ct));
            if (parse.GetValue(s_json))
            {
                Output.Json(Output.ToJson(await created.GetInfoAsync(ct)));
            }
            else
            {
                Console.Out.WriteLine(created.SandboxId);
            }
        }));

        var state = new Option<string[]>("--state") { Description = "running and/or paused" };
        state.AcceptOnlyFromAmong("running", "paused");
        var list = new Command("list", "List running and paused sandboxes") { state, metadata, s_json };
        list.Aliases.Add("ls");
        list.SetAction((parse, ct) => Run(async () =>
        {
            var query = new SandboxQuery
            {
                State = parse.GetValue(state) is { Length: > 0 } states ? states.Select(s => s == "paused" ? SandboxState.Paused : SandboxState.Running).ToList() : null,
                Metadata = Pairs(parse.GetValue(metadata)),
            };
            var all = new List<SandboxInfo>();
            await foreach (var info in Sandbox.List(query, connection(parse)).WithCancellation(ct))
            {
                all.Add(info);
            }

            if (parse.GetValue(s_json))
            {
                Output.Json(new JsonArray([.. all.Select(i => (JsonNode)Output.ToJson(i))]));
            }
            else
            {
                Output.Table(all);
            }
        }));

        var info = new Command("info", "Show a sandbox") { id, s_json };
        info.SetAction((parse, ct) => Run(async () =>
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

        var kill = new Command("kill", "Kill a sandbox (exit code 3 if there is no such sandbox)") { id };
        kill.SetAction((parse, ct) => Run(async () =>
        {
            if (!await Sandbox.KillAsync(parse.GetValue(id)!, connection(parse), ct))
            {
                throw new SandboxNotFoundException($"sandbox {parse.GetValue(id)} not found");
            }
        }));

        var pause = new Command("pause", "Pause a sandbox (memory and files kept)") { id };
        pause.SetAction((parse, ct) => Run(async () =>
        {
            await Spin(parse, "Pausing…", () => Sandbox.PauseAsync(parse.GetValue(id)!, connection(parse), ct));
        }));

        var resume = new Command("resume", "Resume a paused sandbox (connect to it)") { id, timeout };
        resume.SetAction((parse, ct) => Run(() =>
            Spin(parse, "Resuming…", () => Sandbox.ConnectAsync(parse.GetValue(id)!, TimeSpan.FromSeconds(parse.GetValue(timeout)), connection(parse), ct))));

        var seconds = new Argument<int>("seconds") { Description = "The new timeout, from now" };
        var setTimeout = new Command("timeout", "Set a sandbox's timeout, counted from now") { id, seconds };
        setTimeout.SetAction((parse, ct) => Run(async () =>
        {
            await Sandbox.SetTimeoutAsync(parse.GetValue(id)!, TimeSpan.FromSeconds(parse.GetValue(seconds)), connection(parse), ct);
        }));

        var command = new Argument<string[]>("command") { Description = "The command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var user = new Option<string?>("--user", "-u") { Description = "Run as this user (default: user)" };
        var exec = new Command("exec", "Run a command in a sandbox, streaming its output; exits with the command's exit code") { id, user, command };
        exec.SetAction((parse, ct) => ExecAsync(parse, connection(parse), parse.GetValue(id)!, parse.GetValue(user), parse.GetValue(command)!, ct));

        sandbox.Subcommands.Add(create);
        sandbox.Subcommands.Add(list);
        sandbox.Subcommands.Add(info);
        sandbox.Subcommands.Add(kill);
        sandbox.Subcommands.Add(pause);
        sandbox.Subcommands.Add(resume);
        sandbox.Subcommands.Add(setTimeout);
        sandbox.Subcommands.Add(exec);
        sandbox.Subcommands.Add(FileCommands.Build(connection, id));
        sandbox.Subcommands.Add(ConnectCommand.Build(connection, id));
        sandbox.Subcommands.Add(LogsCommand.Build(connection, id));
        return sandbox;
    }

    private static async Task<int> ExecAsync(ParseResult parse, ConnectionOptions connection, string sandboxId, string? user, string[] argv, CancellationToken ct)
    {
        return await RunWithCodeAsync(async () =>
        {
            var target = await Sandbox.ConnectAsync(sandboxId, null, connection, ct);
            var line = string.Join(' ', argv.Select(Quote));
            try
            {
                var result = await target.Commands.RunAsync(line, new CommandOptions
                {
                    User = user,
                    Timeout = TimeSpan.Zero,
                    OnStdout = text => Console.Out.Write(text),
                    OnStderr = text => Console.Error.Write(text),
                }, ct);
                return result.ExitCode;
            }
            catch (CommandExitException ex)
            {
                return ex.Result.ExitCode < 0 ? 128 + 9 : ex.Result.ExitCode;
            }
        });
    }

    internal static Task<int> Run(Func<Task> work) => RunWithCodeAsync(async () =>
    {
        await work();
        return ExitCodes.Success;
    });

    /// <summary>Runs a command's work and turns the SDK's exceptions into a message and a stable exit code.</summary>
    internal static async Task<int> RunWithCodeAsync(Func<Task<int>> work)
    {
        try
        {
            return await work();
        }
        catch (Exception ex) when (ex is ISandboxError)
        {
            await Console.Error.WriteLineAsync($"paddock: {ex.Message}");
            return ex switch
            {
                SandboxNotFoundException or SandboxFileNotFoundException => ExitCodes.NotFound,
                SandboxAuthenticationException => ExitCodes.Unauthenticated,
                InvalidArgumentException => ExitCodes.InvalidArgument,
                SandboxTimeoutException => ExitCodes.Timeout,
                _ => ExitCodes.Failure,
            };
        }
        catch (HttpRequestException ex)
        {
            await Console.Error.WriteLineAsync($"paddock: cannot reach the server: {ex.Message}");
            return ExitCodes.Failure;
        }
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

    private static Dictionary<string, string>? Pairs(string[]? values)
    {
        if (values is not { Length: > 0 })
        {
            return null;
        }

        var pairs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var value in values)
        {
            var equals = value.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                throw new InvalidArgumentException($"metadata must be key=value, not '{value}'");
            }

            pairs[value[..equals]] = value[(equals + 1)..];
        }

        return pairs;
    }

    // Arguments reach bash as given: each one single-quoted.
    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
