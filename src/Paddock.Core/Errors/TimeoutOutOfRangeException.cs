namespace Paddock.Core.Errors;

/// <summary>A timeout that is not positive, or longer than a sandbox may live.</summary>
public sealed class TimeoutOutOfRangeException(TimeSpan requested, TimeSpan maximum)
    : PaddockException(ErrorKind.InvalidArgument, $"the timeout {requested} is outside (0, {maximum}]")
{
    /// <summary>What was asked.</summary>
    public TimeSpan Requested { get; } = requested;

    /// <summary>The longest a sandbox may live (the configured maximum lifetime).</summary>
    public TimeSpan Maximum { get; } = maximum;
}
