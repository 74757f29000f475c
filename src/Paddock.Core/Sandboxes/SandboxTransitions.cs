using Paddock.Core.Errors;

namespace Paddock.Core.Sandboxes;

/// <summary>
/// The one table of what may be done to a sandbox in each state, and the state it is in after. Every state
/// change of a <see cref="SandboxRecord"/> goes through it; anything not in it is a
/// <see cref="SandboxConflictException"/>. A new state or a new move is a new row.
/// </summary>
public static class SandboxTransitions
{
    private static readonly (SandboxState From, SandboxAction Action, SandboxState To)[] s_table =
    [
        (SandboxState.Creating, SandboxAction.Start, SandboxState.Running),
        (SandboxState.Creating, SandboxAction.Kill, SandboxState.Killed),
        (SandboxState.Running, SandboxAction.Pause, SandboxState.Paused),
        (SandboxState.Running, SandboxAction.Kill, SandboxState.Killed),
        (SandboxState.Running, SandboxAction.SetTimeout, SandboxState.Running),
        (SandboxState.Running, SandboxAction.Extend, SandboxState.Running),
        (SandboxState.Running, SandboxAction.UpdateNetwork, SandboxState.Running),
        (SandboxState.Paused, SandboxAction.UpdateNetwork, SandboxState.Paused),
        (SandboxState.Paused, SandboxAction.Resume, SandboxState.Running),
        (SandboxState.Paused, SandboxAction.Kill, SandboxState.Killed),
    ];

    /// <summary>Whether <paramref name="action"/> may be done in state <paramref name="from"/>.</summary>
    public static bool Allows(SandboxState from, SandboxAction action) => Find(from, action) is not null;

    /// <summary>The state after <paramref name="action"/>; a conflict when it may not be done in <paramref name="from"/>.</summary>
    public static SandboxState Target(string sandboxId, SandboxState from, SandboxAction action) =>
        Find(from, action) ?? throw new SandboxConflictException(sandboxId, from, action);

    private static SandboxState? Find(SandboxState from, SandboxAction action)
    {
        foreach (var row in s_table)
        {
            if (row.From == from && row.Action == action)
            {
                return row.To;
            }
        }

        return null;
    }
}
