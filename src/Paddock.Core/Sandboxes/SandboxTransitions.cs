namespace Paddock.Core.Sandboxes;

/// <summary>The one table of legal state changes.</summary>
internal static class SandboxTransitions
{
    private static readonly Dictionary<SandboxState, SandboxState[]> s_allowed = new()
    {
        [SandboxState.Creating] = [SandboxState.Running, SandboxState.Killed],
        [SandboxState.Running] = [SandboxState.Paused, SandboxState.Killed],
        [SandboxState.Paused] = [SandboxState.Running, SandboxState.Killed],
        [SandboxState.Killed] = [],
    };

    public static bool IsAllowed(SandboxState from, SandboxState to) => s_allowed[from].Contains(to);

    public static void Ensure(SandboxState from, SandboxState to)
    {
        if (!IsAllowed(from, to))
        {
            throw new InvalidOperationException($"invalid state transition from {from} to {to}");
        }
    }
}
