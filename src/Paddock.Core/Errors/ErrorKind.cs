namespace Paddock.Core.Errors;

/// <summary>The few kinds of failure the lifecycle reports; each boundary maps them once.</summary>
public enum ErrorKind
{
    /// <summary>The request itself is wrong (HTTP 400).</summary>
    InvalidArgument,

    /// <summary>No such sandbox or template (HTTP 404).</summary>
    NotFound,

    /// <summary>The sandbox is in the wrong state for the request (HTTP 409).</summary>
    Conflict,

    /// <summary>The request's credentials are missing or wrong (HTTP 401).</summary>
    Unauthenticated,

    /// <summary>The server cannot take more right now (HTTP 503).</summary>
    Unavailable,

    /// <summary>A configured limit is reached: nothing more until something ends (HTTP 429).</summary>
    LimitReached,

    /// <summary>Something failed inside Paddock (HTTP 500).</summary>
    Internal,
}
