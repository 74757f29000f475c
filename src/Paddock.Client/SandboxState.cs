namespace Paddock.Client;

/// <summary>Where a sandbox is in its lifecycle.</summary>
public enum SandboxState
{
    /// <summary>Running: commands, files and code work.</summary>
    Running,

    /// <summary>Paused: memory and files kept, nothing runs; connecting resumes it.</summary>
    Paused,

    /// <summary>Killed: gone for good (listed only when asked for, with <see cref="SandboxQuery.State"/>).</summary>
    Killed,
}
