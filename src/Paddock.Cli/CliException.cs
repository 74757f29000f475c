namespace Paddock.Cli;

/// <summary>A failure the CLI itself detects (a bad pair, a paused sandbox, a missing local file): its message and exit code.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
