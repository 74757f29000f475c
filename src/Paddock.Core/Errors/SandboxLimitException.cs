namespace Paddock.Core.Errors;

/// <summary>The server holds as many sandboxes as it is configured to (<c>MaxSandboxes</c>); a create must wait for one to end.</summary>
public sealed class SandboxLimitException(int maximum)
    : PaddockException(ErrorKind.LimitReached, $"the server holds its maximum of {maximum} sandboxes")
{
    /// <summary>The configured maximum.</summary>
    public int Maximum { get; } = maximum;
}
