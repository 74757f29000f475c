namespace Paddock.Client;

/// <summary>How a command ended and what it printed.</summary>
/// <param name="ExitCode">Its exit code (-1 when a signal ended it).</param>
/// <param name="Stdout">Everything it wrote to stdout.</param>
/// <param name="Stderr">Everything it wrote to stderr.</param>
/// <param name="Error">The daemon's description of a failure (e.g. <c>exit status 1</c>), if any.</param>
public sealed record CommandResult(int ExitCode, string Stdout, string Stderr, string? Error);
