using System.CommandLine;
using Paddock.Cli.Terminal;
using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock sandbox connect ID</c>: an interactive login shell in the sandbox over a pseudoterminal, like
/// ssh (see <see cref="ShellSession"/>). The exit code is the shell's.
/// </summary>
internal static class ConnectCommand
{
    public static Command Build(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var connect = new Command("connect", "Open an interactive shell in a sandbox, like ssh (resumes a paused one)") { id };
        connect.SetAction((parse, ct) => CliErrors.RunWithCodeAsync(async () =>
        {
            if (OperatingSystem.IsWindows())
            {
                throw new CliException(ExitCodes.Failure, "connect needs a Unix terminal (Linux or macOS)");
            }

            var sandbox = await Sandbox.ConnectAsync(parse.GetValue(id)!, null, connection(parse), ct);
            using var session = new ShellSession(sandbox);
            return await session.RunAsync(ct);
        }));
        return connect;
    }
}
