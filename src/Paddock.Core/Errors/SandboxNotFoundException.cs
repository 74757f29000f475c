using Paddock.Core.Sandboxes;

namespace Paddock.Core.Errors;

/// <summary>
/// No such sandbox, or one that has ended (then <see cref="Ended"/> says when and why, and the error code,
/// <c>sandbox_killed_&lt;reason&gt;</c>, says why for machines: an SDK tells a timeout from a kill by it).
/// </summary>
public sealed class SandboxNotFoundException(string sandboxId, SandboxRecord? ended = null)
    : PaddockException(
        ErrorKind.NotFound,
        ended is null ? $"sandbox {sandboxId} does not exist" : $"sandbox {sandboxId} was killed: {ended.KillReason.Describe()}",
        ended?.KillReason is { } reason ? "sandbox_killed_" + reason.Code() : null)
{
    /// <summary>The sandbox asked for.</summary>
    public string SandboxId { get; } = sandboxId;

    /// <summary>Its record, when it was killed.</summary>
    public SandboxRecord? Ended { get; } = ended;
}
