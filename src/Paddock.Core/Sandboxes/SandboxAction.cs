namespace Paddock.Core.Sandboxes;

/// <summary>What can be done to a sandbox; <see cref="SandboxTransitions"/> says in which states, and to which.</summary>
public enum SandboxAction
{
    /// <summary>Its container runs: the create finished.</summary>
    Start,

    /// <summary>Freeze it.</summary>
    Pause,

    /// <summary>Thaw it.</summary>
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
