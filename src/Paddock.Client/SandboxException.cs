namespace Paddock.Client;

/// <summary>A failure reported by the sandbox API or a sandbox; the base of every Paddock.Client exception.</summary>
public class SandboxException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SandboxException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }

    /// <summary>The HTTP status of the failed request, when there was one.</summary>
    public int? StatusCode { get; init; }

    /// <summary>The sandbox daemon's error code (e.g. <c>not_found</c>, <c>already_exists</c>), when it gave one.</summary>
    public string? Code { get; init; }
}

/// <summary>A sandbox, or a command or execution in it, ran out of time (or the sandbox is gone).</summary>
public sealed class SandboxTimeoutException(string message, Exception? inner = null) : SandboxException(message, inner);

/// <summary>The sandbox does not exist (never did, or was killed).</summary>
public sealed class SandboxNotFoundException(string message) : SandboxException(message);

/// <summary>The API key is missing or wrong.</summary>
public sealed class AuthenticationException(string message) : SandboxException(message);

/// <summary>The request was invalid (bad timeout, unknown template…).</summary>
public sealed class InvalidArgumentException(string message) : SandboxException(message);

/// <summary>The sandbox's disk is full.</summary>
public sealed class NotEnoughSpaceException(string message) : SandboxException(message);

/// <summary>Too many requests; try again later.</summary>
public sealed class RateLimitException(string message) : SandboxException(message);

/// <summary>A file or directory in the sandbox does not exist.</summary>
public sealed class SandboxFileNotFoundException(string message) : SandboxException(message);

/// <summary>A command exited with a non-zero code; the result carries its output.</summary>
public sealed class CommandExitException(CommandResult result)
    : SandboxException(result.Error ?? $"exit status {result.ExitCode}")
{
    /// <summary>What the command printed and how it ended.</summary>
    public CommandResult Result { get; } = result;
}
