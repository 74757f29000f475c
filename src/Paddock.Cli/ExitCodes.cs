namespace Paddock.Cli;

/// <summary>The exit codes of <c>paddock</c>, stable for scripts. <c>sandbox exec</c> returns the command's own.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Anything else that went wrong (the server's message is printed).</summary>
    public const int Failure = 1;

    /// <summary>Bad arguments, or a request the server refused as invalid.</summary>
    public const int InvalidArgument = 2;

    /// <summary>No such sandbox (or file).</summary>
    public const int NotFound = 3;

    /// <summary>The API key is missing or wrong.</summary>
    public const int Unauthenticated = 4;

    /// <summary>A timeout passed, or the sandbox is not running.</summary>
    public const int Timeout = 5;

    /// <summary>Stopped by Ctrl+C or SIGTERM (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
