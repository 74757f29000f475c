namespace Paddock.Core.Sandboxes;

/// <summary>What can be done to a sandbox; <see cref="SandboxTransitions"/> says in which states, and to which.</summary>
public enum SandboxAction
{
    /// <summary>Its container runs: the create finished.</summary>
    Start,

    /// <summary>Freeze it, memory kept (<see cref="PauseKind.Memory"/>).</summary>
    Pause,

    /// <summary>Stop its processes and keep only its files (<see cref="PauseKind.Filesystem"/>).</summary>
    PauseToDisk,

    /// <summary>A frozen sandbox gives its memory back and keeps only its files (the tiering policy).</summary>
    Demote,

    /// <summary>Its processes were found gone (a reboot, the runtime's state lost): its files are kept.</summary>
    LoseProcesses,

    /// <summary>Thaw it, or boot it cold over its files when only they were kept.</summary>
    Resume,

    /// <summary>End it for good.</summary>
    Kill,

    /// <summary>Set when it times out (it keeps running).</summary>
    SetTimeout,

    /// <summary>Move when it times out later, never earlier (it keeps running).</summary>
    Extend,

    /// <summary>Replace what its outbound traffic may reach (it keeps its state).</summary>
    UpdateNetwork,
}
