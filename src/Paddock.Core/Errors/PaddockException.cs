namespace Paddock.Core.Errors;

/// <summary>
/// A failure with a kind the API can map to a status code, and a message for the caller. The domain's own
/// failures are typed (<see cref="SandboxConflictException"/>, <see cref="SandboxNotFoundException"/>, …) so
/// each API can word them its own way.
/// </summary>
public class PaddockException : Exception
{
    /// <summary>Creates an exception of the given kind.</summary>
    public PaddockException(ErrorKind kind, string message, string? errorCode = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        ErrorCode = errorCode;
    }

    /// <summary>The kind of failure.</summary>
    public ErrorKind Kind { get; }

    /// <summary>E2B's semantic <c>error_code</c>, where one applies.</summary>
    public string? ErrorCode { get; }
}
