namespace Paddock.Client;

/// <summary>How a paused sandbox is kept (<see cref="SandboxInfo.PausedAs"/>), and what a pause keeps.</summary>
public enum SandboxPauseKind
{
    /// <summary>Memory and files: frozen, it resumes exactly as it was, its processes still running.</summary>
    Memory,

    /// <summary>
    /// Files only: its processes ended and its memory freed; a resume boots it afresh over the same files (same id,
    /// same access token, every process started anew). Costs no memory while paused.
    /// </summary>
    Filesystem,
}
