using System.CommandLine;
using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock sandbox kill ID</c> (exit code 3 when there is no such sandbox), or <c>kill --all</c> with the
/// filters of list (<c>--state</c>, <c>--metadata</c>), which prints the id of each sandbox it killed.
/// </summary>
internal static class KillCommand
{
    private const int Concurrency = 4;

    public static Command Build(Func<ParseResult, ConnectionOptions> connection)
    {
        var id = new Argument<string?>("id") { Description = "The sandbox's id", Arity = ArgumentArity.ZeroOrOne };
        var all = new Option<bool>("--all", "-a") { Description = "Kill every running and paused sandbox (narrowed by --state and --metadata)" };
        var state = SandboxCommands.States("running", "paused");
        var metadata = KeyValueOption.Create("--metadata", "-m", "With --all: only sandboxes with this key=value label (repeatable)");
        var kill = new Command("kill", "Kill a sandbox, or all of them (--all)") { id, all, state, metadata };
        kill.Validators.Add(result =>
        {
            var hasId = result.GetValue(id) is not null;
            if (hasId == result.GetValue(all))
            {
                result.AddError("give a sandbox id or --all, not both");
            }
            else if (hasId && (result.GetResult(state) is not null || result.GetResult(metadata) is not null))
            {
                result.AddError("--state and --metadata filter --all; a sandbox id needs no filter");
            }
        });
        kill.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            var options = connection(parse);
            if (parse.GetValue(id) is { } sandboxId)
            {
                if (!await Sandbox.KillAsync(sandboxId, options, ct))
                {
                    throw new CliException(ExitCodes.NotFound, $"sandbox {sandboxId} not found");
                }

                return;
            }

            // Listed in full before the first kill, so the pages do not shift under the kills.
            var targets = await SandboxCommands.ListAsync(options, parse.GetValue(state), KeyValueOption.Pairs(parse.GetValue(metadata)), ct);
            if (targets.Count == 0)
            {
                await Console.Error.WriteLineAsync("paddock: no sandbox matched");
                return;
            }

            await Parallel.ForEachAsync(targets, new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = ct }, async (target, token) =>
            {
                // False: it ended between the list and the kill, which is what was wanted.
                if (await Sandbox.KillAsync(target.SandboxId, options, token))
                {
                    lock (targets)
                    {
                        Console.Out.WriteLine(target.SandboxId);
                    }
                }
            });
        }));
        return kill;
    }
}
