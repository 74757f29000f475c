using Paddock.Core.Sandboxes;

namespace Paddock.Core.Errors;

/// <summary>An action a sandbox's state does not allow (pausing a paused sandbox, resuming a running one, …).</summary>
public sealed class SandboxConflictException(string sandboxId, SandboxState state, SandboxAction action)
    : PaddockException(ErrorKind.Conflict, $"sandbox {sandboxId} is {state.ToString().ToLowerInvariant()}: it cannot {action}")
{
    /// <summary>The sandbox.</summary>
    public string SandboxId { get; } = sandboxId;

    /// <summary>The state it was in.</summary>
    public SandboxState State { get; } = state;

    /// <summary>What was asked.</summary>
    public SandboxAction Action { get; } = action;
}
