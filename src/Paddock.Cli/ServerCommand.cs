using System.CommandLine;
using System.Diagnostics;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock server [args…]</c>: starts the Paddock server shipped beside the CLI (<c>Paddock.Server.dll</c>),
/// in the foreground, with the server's own flags (<c>--urls</c>, <c>--data-dir</c>, …).
/// </summary>
internal static class ServerCommand
{
    public static Command Build()
    {
        var passthrough = new Argument<string[]>("args") { Description = "The server's flags, e.g. --urls http://0.0.0.0:3000", Arity = ArgumentArity.ZeroOrMore };
        var server = new Command("server", "Start the Paddock server (as root), with its embedded defaults") { passthrough };
        server.TreatUnmatchedTokensAsErrors = false;
        server.SetAction(async (parse, ct) =>
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Paddock.Server.dll");
            if (!File.Exists(dll))
            {
                await Console.Error.WriteLineAsync($"paddock: the server is not installed beside the CLI ({dll} is missing)");
                return ExitCodes.Failure;
            }

            var info = new ProcessStartInfo("dotnet") { UseShellExecute = false };
            info.ArgumentList.Add(dll);
            foreach (var arg in (parse.GetValue(passthrough) ?? []).Concat(parse.UnmatchedTokens))
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            try
            {
                await process.WaitForExitAsync(ct);
            }
            catch (OperationCanceledException)
            {
                // Ctrl-C reached the server too (same process group): wait for its clean stop.
                await process.WaitForExitAsync(CancellationToken.None);
            }

            return process.ExitCode;
        });
        return server;
    }
}
