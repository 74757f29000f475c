using System.CommandLine;
using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock sandbox fork ID [--count N]</c>: new sandboxes made from a sandbox as it is now (its files, metadata
/// and settings; the sandbox runs on untouched). Prints each new id on a line of its own, those made even when
/// others failed (then the exit code says so).
/// </summary>
internal static class ForkCommand
{
    public static Command Build(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var count = new Option<int>("--count", "-c") { Description = "How many forks (1 to 100)", DefaultValueFactory = _ => 1 };
        count.Validators.Add(result =>
        {
            if (result.GetValue(count) is < 1 or > 100)
            {
                result.AddError("--count must be from 1 to 100");
            }
        });
        var timeout = new Option<int>("--timeout") { Description = "Seconds each fork lives", DefaultValueFactory = _ => 300 };
        var fork = new Command("fork", "Make new sandboxes from a sandbox as it is now, and print their ids") { id, count, timeout };
        fork.SetAction((parse, ct) => CliErrors.RunAsync(async () =>
        {
            IReadOnlyList<Sandbox> forks;
            try
            {
                forks = await SandboxCommands.Spin(parse, "Forking…", () =>
                    Sandbox.ForkAsync(parse.GetValue(id)!, parse.GetValue(count), TimeSpan.FromSeconds(parse.GetValue(timeout)), connection(parse), ct));
            }
            catch (SandboxForkException ex)
            {
                Print(ex.Forks);
                throw;
            }

            Print(forks);
        }));
        return fork;
    }

    private static void Print(IReadOnlyList<Sandbox> forks)
    {
        foreach (var fork in forks)
        {
            Console.Out.WriteLine(fork.SandboxId);
        }
    }
}
