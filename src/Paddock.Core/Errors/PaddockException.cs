namespace Paddock.Core.Errors;

/// <summary>A failure with a kind the API can map to a status code and a message meant for the caller.</summary>
public sealed class PaddockException : Exception
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

    internal static PaddockException SandboxNotFound(string id, string? why = null) => new(
        ErrorKind.NotFound,
        why is null
            ? $"Sandbox \"{id}\" doesn't exist or you don't have access to it"
            : $"Sandbox \"{id}\" doesn't exist or you don't have access to it ({why})");

    internal static PaddockException Invalid(string message) => new(ErrorKind.InvalidArgument, message);

    internal static PaddockException Conflict(string message) => new(ErrorKind.Conflict, message);
}
