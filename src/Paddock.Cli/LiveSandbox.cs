using Paddock.Client;

namespace Paddock.Cli;

/// <summary>
/// A sandbox to run a command in or move files to, with its lifecycle left alone: a paused sandbox is refused
/// (or resumed when the user asked for that), and a running one keeps its deadline. The SDK's only way to a
/// <see cref="Sandbox"/> is connect, which resumes a paused sandbox and moves a running one's deadline to at
/// least now + the timeout it is given (5 minutes by default); so the state is read first, and connect is
/// given no more than the time the sandbox has left.
/// </summary>
internal static class LiveSandbox
{
    public static async Task<Sandbox> AttachAsync(
        string sandboxId, ConnectionOptions connection, bool resume, CancellationToken cancellationToken, string? resumeFlag = null)
    {
        var info = await Sandbox.GetInfoAsync(sandboxId, connection, cancellationToken);
        if (info.State == SandboxState.Paused)
        {
            return resume
                ? await Sandbox.ConnectAsync(sandboxId, null, connection, cancellationToken)
                : throw new CliException(ExitCodes.Timeout, $"sandbox {sandboxId} is paused: resume it first (paddock sandbox resume {sandboxId})"
                    + (resumeFlag is null ? string.Empty : $", or pass {resumeFlag}"));
        }

        // Whole seconds, rounded down, because the API counts in seconds and rounding up would extend it by up
        // to one. A client clock behind the server's by more than that still extends it by the difference.
        var left = Math.Floor((info.EndAt - DateTimeOffset.UtcNow).TotalSeconds);
        return await Sandbox.ConnectAsync(sandboxId, TimeSpan.FromSeconds(Math.Max(1, left)), connection, cancellationToken);
    }
}
