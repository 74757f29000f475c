namespace Paddock.Client;

/// <summary>
/// What every failure the SDK reports carries: the HTTP status and the sandbox daemon's or API's error code, where
/// there were any. Every SDK exception is a <see cref="SandboxException"/>, except timeouts, which are
/// <see cref="SandboxTimeoutException"/>, a <see cref="TimeoutException"/> as .NET code expects of a timeout; both
/// implement this, so <c>catch (Exception e) when (e is ISandboxError)</c> catches every SDK failure.
/// </summary>
public interface ISandboxError
{
    /// <summary>The HTTP status of the failed request, when there was one.</summary>
    int? StatusCode { get; }

    /// <summary>The error code the API or the sandbox's daemon gave (e.g. <c>not_found</c>, <c>sandbox_killed_timeout</c>), when there was one.</summary>
    string? Code { get; }
}

/// <summary>A failure reported by the sandbox API or a sandbox; the base of every Paddock.Client exception but timeouts.</summary>
public class SandboxException : Exception, ISandboxError
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="inner">The failure underneath, if any.</param>
    public SandboxException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <inheritdoc />
    public int? StatusCode { get; init; }

    /// <inheritdoc />
    public string? Code { get; init; }
}

/// <summary>
/// A sandbox, or a command or execution in it, ran out of time: the command's or execution's timeout passed, or the
/// sandbox's own timeout ended it. A <see cref="TimeoutException"/>, so <c>catch (TimeoutException)</c> catches it.
/// </summary>
/// <param name="message">What timed out.</param>
/// <param name="inner">The failure underneath, if any.</param>
public sealed class SandboxTimeoutException(string message, Exception? inner = null) : TimeoutException(message, inner), ISandboxError
{
    /// <inheritdoc />
    public int? StatusCode { get; init; }

    /// <inheritdoc />
    public string? Code { get; init; }
}

/// <summary>The sandbox does not exist: it never did, or it was killed (the message says why).</summary>
/// <param name="message">Which sandbox, and why it is gone when it was killed.</param>
public sealed class SandboxNotFoundException(string message) : SandboxException(message);

/// <summary>
/// The sandbox is paused: nothing runs in it until it is resumed (<see cref="Sandbox.ConnectAsync(string, TimeSpan?, ConnectionOptions?, CancellationToken)"/>). A pause also
/// ends the commands, executions and watches that were streaming from it; their processes go on after a resume.
/// </summary>
/// <param name="message">Which sandbox.</param>
public sealed class SandboxPausedException(string message) : SandboxException(message);

/// <summary>The API or the sandbox could not be reached at all (the server is down, the address is wrong, the network failed).</summary>
/// <param name="message">Where the SDK tried to go.</param>
/// <param name="inner">The network failure.</param>
public sealed class SandboxConnectionException(string message, Exception inner) : SandboxException(message, inner);

/// <summary>The API key is missing or wrong.</summary>
/// <param name="message">What the API said.</param>
public sealed class SandboxAuthenticationException(string message) : SandboxException(message);

/// <summary>The request was invalid (a bad timeout, an unknown template, a bad path…).</summary>
/// <param name="message">What was wrong.</param>
public sealed class InvalidArgumentException(string message) : SandboxException(message);

/// <summary>The sandbox's disk is full.</summary>
/// <param name="message">What the sandbox said.</param>
public sealed class NotEnoughSpaceException(string message) : SandboxException(message);

/// <summary>Too many requests; try again later.</summary>
/// <param name="message">What the API said.</param>
public sealed class RateLimitException(string message) : SandboxException(message);

/// <summary>A file or directory in the sandbox does not exist.</summary>
/// <param name="message">Which path.</param>
public sealed class SandboxFileNotFoundException(string message) : SandboxException(message);

/// <summary>A command exited with a non-zero code; the message ends with what it printed last on stderr.</summary>
/// <param name="result">What the command printed and how it ended.</param>
public sealed class CommandExitException(CommandResult result) : SandboxException(Describe(result))
{
    private const int StderrTail = 400;

    /// <summary>What the command printed and how it ended.</summary>
    public CommandResult Result { get; } = result;

    private static string Describe(CommandResult result)
    {
        var status = result.Error is { Length: > 0 } error ? error : $"exit status {result.ExitCode}";
        var stderr = result.Stderr.TrimEnd();
        if (stderr.Length == 0)
        {
            return $"the command failed: {status}";
        }

        var tail = stderr.Length <= StderrTail ? stderr : "…" + stderr[^StderrTail..];
        return $"the command failed: {status}; stderr: {tail}";
    }
}
