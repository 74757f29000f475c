using Paddock.Core.Errors;

namespace Paddock.Core.Sandboxes;

/// <summary>
/// The one table of what may be done to a sandbox in each state, and the state it is in after. A paused
/// sandbox is in one of two sub-states (<see cref="PauseKind"/>), and the table is over both. Every state
/// change of a <see cref="SandboxRecord"/> goes through it; anything not in it is a
/// <see cref="SandboxConflictException"/>. A new state or a new move is a new row.
/// </summary>
public static class SandboxTransitions
{
    private static readonly Phase s_creating = new(SandboxState.Creating, null);
    private static readonly Phase s_running = new(SandboxState.Running, null);
    private static readonly Phase s_frozen = new(SandboxState.Paused, PauseKind.Memory);
    private static readonly Phase s_onDisk = new(SandboxState.Paused, PauseKind.Filesystem);
    private static readonly Phase s_killed = new(SandboxState.Killed, null);

    private static readonly (Phase From, SandboxAction Action, Phase To)[] s_table =
    [
        (s_creating, SandboxAction.Start, s_running),
        (s_creating, SandboxAction.Kill, s_killed),
        (s_running, SandboxAction.Pause, s_frozen),
        (s_running, SandboxAction.PauseToDisk, s_onDisk),
        (s_running, SandboxAction.LoseProcesses, s_onDisk),
        (s_running, SandboxAction.Kill, s_killed),
        (s_running, SandboxAction.SetTimeout, s_running),
        (s_running, SandboxAction.Extend, s_running),
        (s_running, SandboxAction.UpdateNetwork, s_running),
        (s_frozen, SandboxAction.Resume, s_running),
        (s_frozen, SandboxAction.Demote, s_onDisk),
        (s_frozen, SandboxAction.LoseProcesses, s_onDisk),
        (s_frozen, SandboxAction.UpdateNetwork, s_frozen),
        (s_frozen, SandboxAction.Kill, s_killed),
        (s_onDisk, SandboxAction.Resume, s_running),
        (s_onDisk, SandboxAction.UpdateNetwork, s_onDisk),
        (s_onDisk, SandboxAction.Kill, s_killed),
    ];

    /// <summary>Whether <paramref name="action"/> may be done in state <paramref name="from"/> (sub-state <paramref name="pausedAs"/>).</summary>
    public static bool Allows(SandboxState from, PauseKind? pausedAs, SandboxAction action) => Find(new Phase(from, pausedAs), action) is not null;

    /// <summary>The state and pause sub-state after <paramref name="action"/>; a conflict when it may not be done.</summary>
    public static (SandboxState State, PauseKind? PausedAs) Target(string sandboxId, SandboxState from, PauseKind? pausedAs, SandboxAction action) =>
        Find(new Phase(from, pausedAs), action) is { } to
            ? (to.State, to.PausedAs)
            : throw new SandboxConflictException(sandboxId, from, action);

    private static Phase? Find(Phase from, SandboxAction action)
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

    private readonly record struct Phase(SandboxState State, PauseKind? PausedAs);
}
