using System.CommandLine;
using Paddock.Cli.Terminal;
using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// <c>paddock sandbox exec ID -- CMD…</c>: runs a command, streams its output, pipes this process's stdin to it
/// when stdin is not a terminal (closing it at end of file), and exits with the command's exit code. It does
/// not resume a paused sandbox (unless <c>--resume</c>) nor change a running one's timeout.
/// </summary>
internal static class ExecCommand
{
    private const int ChunkSize = 64 * 1024;

    public static Command Build(Func<ParseResult, ConnectionOptions> connection, Argument<string> id)
    {
        var command = new Argument<string[]>("command") { Description = "The command and its arguments (after --)", Arity = ArgumentArity.OneOrMore };
        var user = new Option<string?>("--user", "-u") { Description = "Run as this user (default: user)" };
        var resume = new Option<bool>("--resume") { Description = "Resume the sandbox if it is paused (otherwise exec refuses, exit code 5)" };
        var exec = new Command("exec", "Run a command in a sandbox, streaming its output and piping stdin to it; exits with the command's exit code")
        {
            id, user, resume, command,
        };
        exec.SetAction((parse, ct) => CliErrors.RunWithCodeAsync(async () =>
        {
            var sandboxId = parse.GetValue(id)!;
            var options = connection(parse);
            var sandbox = await LiveSandbox.AttachAsync(sandboxId, options, parse.GetValue(resume), ct, resume.Name);
            var pipeStdin = Console.IsInputRedirected;
            var handle = await sandbox.Commands.StartAsync(string.Join(' ', parse.GetValue(command)!.Select(Quote)), new CommandOptions
            {
                User = parse.GetValue(user),
                Timeout = TimeSpan.Zero,
                Stdin = pipeStdin,
                OnStdout = text => Console.Out.Write(text),
                OnStderr = text => Console.Error.Write(text),
            }, ct);

            using var done = CancellationTokenSource.CreateLinkedTokenSource(ct);
            var piping = pipeStdin ? PipeStdinAsync(options, sandboxId, handle.Pid, done.Token) : Task.CompletedTask;
            try
            {
                return await CliErrors.ExitCodeOfAsync(handle, ct);
            }
            finally
            {
                // A command that ends without reading all its input is normal (`yes | exec head -1`).
                await done.CancelAsync();
                await piping;
            }
        }));
        return exec;
    }

    private static async Task PipeStdinAsync(ConnectionOptions options, string sandboxId, int pid, CancellationToken cancellationToken)
    {
        try
        {
            using var api = new RestApi(options);
            var token = (await api.GetSandboxAsync(sandboxId, cancellationToken))["envdAccessToken"]?.GetValue<string>();
            var buffer = new byte[ChunkSize];
            int read;
            while ((read = await StandardInput.ReadAsync(buffer, cancellationToken)) > 0)
            {
                await api.SendStdinAsync(sandboxId, token, pid, buffer.AsMemory(0, read), cancellationToken);
            }

            await api.CloseStdinAsync(sandboxId, token, pid, cancellationToken);
        }
        catch (Exception ex) when (ex is OperationCanceledException or CliException or HttpRequestException or IOException)
        {
            // The command ended first, or its stdin went away: its exit code says what happened.
        }
    }

    // Arguments reach bash as given: each one single-quoted.
    private static string Quote(string arg) => "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
