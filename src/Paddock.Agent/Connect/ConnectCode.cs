namespace Paddock.Agent.Connect;

/// <summary>Connect protocol error codes and the HTTP status each maps to.</summary>
internal static class ConnectCode
{
    public const string InvalidArgument = "invalid_argument";
    public const string FailedPrecondition = "failed_precondition";
    public const string NotFound = "not_found";
    public const string AlreadyExists = "already_exists";
    public const string Unauthenticated = "unauthenticated";
    public const string DeadlineExceeded = "deadline_exceeded";
    public const string Unimplemented = "unimplemented";
    public const string Internal = "internal";
    public const string Unknown = "unknown";

    public static int HttpStatusOf(string code) => code switch
    {
        InvalidArgument or FailedPrecondition => 400,
        Unauthenticated => 401,
        NotFound => 404,
        AlreadyExists => 409,
        "permission_denied" => 403,
        DeadlineExceeded => 504,
        Unimplemented => 501,
        _ => 500,
    };
}

/// <summary>A failure an RPC reports with a Connect code.</summary>
internal sealed class ConnectException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
