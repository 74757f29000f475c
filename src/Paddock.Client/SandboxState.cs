namespace Paddock.Client;

/// <summary>Where a sandbox is in its lifecycle.</summary>
public enum SandboxState
{
    /// <summary>Running: commands, files and code work.</summary>
    Running,

    /// <summary>Paused: nothing runs, its files are kept (and its memory, unless <see cref="SandboxInfo.PausedAs"/> says otherwise); connecting resumes it.</summary>
    Paused,

    /// <summary>Killed: gone for good (listed only when asked for, with <see cref="SandboxQuery.State"/>).</summary>
    Killed,
}
