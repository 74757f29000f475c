using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// Runs a command's work and turns every failure into one line on stderr and a stable exit code (see
/// <see cref="ExitCodes"/>); no stack traces. The only place that names Paddock.Client's exception types.
/// </summary>
internal static class CliErrors
{
    /// <summary>Exit code of a process that was killed (SIGKILL), as shells report it.</summary>
    private const int Killed = 128 + 9;

    public static Task<int> RunAsync(Func<Task> work) => RunWithCodeAsync(async () =>
    {
        await work();
        return ExitCodes.Success;
    });

    public static async Task<int> RunWithCodeAsync(Func<Task<int>> work)
    {
        try
        {
            return await work();
        }
        catch (CliException ex)
        {
            return await FailAsync(ex.ExitCode, ex.Message);
        }
        catch (SandboxTimeoutException ex)
        {
            // Caught on its own: it derives from System.TimeoutException rather than SandboxException.
            return await FailAsync(ExitCodes.Timeout, ex.Message);
        }
        catch (SandboxException ex)
        {
            return await FailAsync(ex switch
            {
                SandboxNotFoundException or SandboxFileNotFoundException => ExitCodes.NotFound,
                SandboxAuthenticationException => ExitCodes.Unauthenticated,
                InvalidArgumentException => ExitCodes.InvalidArgument,
                SandboxPausedException => ExitCodes.Timeout,
                _ => ExitCodes.Failure,
            }, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            return await FailAsync(ExitCodes.Failure, $"cannot reach the server: {ex.Message}");
        }
        catch (OperationCanceledException ex) when (ex.InnerException is TimeoutException)
        {
            return await FailAsync(ExitCodes.Timeout, "the server did not answer in time");
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM while waiting: not a failure to explain.
            return ExitCodes.Interrupted;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return await FailAsync(ExitCodes.NotFound, ex.Message);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return await FailAsync(ExitCodes.Failure, ex.Message);
        }
    }

    /// <summary>Waits for a command in the sandbox and returns its exit code (128 + 9 when it was killed), not an exception.</summary>
    public static async Task<int> ExitCodeOfAsync(CommandHandle command, CancellationToken cancellationToken)
    {
        try
        {
            return (await command.WaitAsync(cancellationToken)).ExitCode;
        }
        catch (CommandExitException ex)
        {
            return ex.Result.ExitCode < 0 ? Killed : ex.Result.ExitCode;
        }
    }

    /// <summary>Whether <paramref name="exception"/> says the sandbox does not exist (any more).</summary>
    public static bool IsSandboxNotFound(Exception exception) => exception is SandboxNotFoundException;

    private static async Task<int> FailAsync(int exitCode, string message)
    {
        await Console.Error.WriteLineAsync($"paddock: {message}");
        return exitCode;
    }
}
