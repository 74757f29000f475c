using System.CommandLine;
using System.Diagnostics;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock server [args…]</c>: starts the Paddock server shipped beside the CLI (<c>Paddock.Server.dll</c>, and
/// the in-sandbox agent in <c>agent/</c>), in the foreground, with the server's own flags (<c>--urls</c>, <c>--data-dir</c>, …).
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

            AllowSandboxesToRunTheAgent();
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
                // Ctrl-C from a terminal reaches the server too (same process group), but a SIGTERM or SIGINT
                // sent to this process alone (a service manager, `kill`) does not: pass it on, so stopping the
                // CLI always stops the server cleanly instead of orphaning it.
                await StopAsync(process);
                await process.WaitForExitAsync(CancellationToken.None);
            }

            return process.ExitCode;
        });
        return server;
    }

    private static async Task StopAsync(Process server)
    {
        if (server.HasExited)
        {
            return;
        }

        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, UseShellExecute = false });
        await kill!.WaitForExitAsync(CancellationToken.None);
    }

    // The tool carries the agent in agent/ beside the server, but NuGet installs files executable by their
    // owner only; a sandbox's root is "other" to the host, so the bundled agent is opened up to it here.
    private static void AllowSandboxesToRunTheAgent()
    {
        var agent = Path.Combine(AppContext.BaseDirectory, "agent", "paddock-agent");
        if (OperatingSystem.IsLinux() && File.Exists(agent) && (File.GetUnixFileMode(agent) & UnixFileMode.OtherExecute) == 0)
        {
            File.SetUnixFileMode(agent, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }
}
