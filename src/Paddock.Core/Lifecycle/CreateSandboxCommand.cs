namespace Paddock.Core.Lifecycle;

/// <summary>A validated request to create a sandbox.</summary>
public sealed record CreateSandboxCommand
{
    /// <summary>Template id or alias.</summary>
    public required string Template { get; init; }

    /// <summary>How long from ready to timeout.</summary>
    public required TimeSpan Timeout { get; init; }

    /// <summary>User metadata.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Environment variables for every process in the sandbox.</summary>
    public IReadOnlyDictionary<string, string> EnvVars { get; init; } = new Dictionary<string, string>();

    /// <summary>Pause on timeout instead of killing.</summary>
    public bool AutoPause { get; init; }

    /// <summary>What the auto-pause keeps: memory and files (true), or the files only (false).</summary>
    public bool AutoPauseMemory { get; init; } = true;

    /// <summary>Resume on traffic (recorded).</summary>
    public bool AutoResume { get; init; }

    /// <summary>Require an access token for agent traffic.</summary>
    public bool Secure { get; init; }

    /// <summary>Requested internet access (null: default).</summary>
    public bool? AllowInternetAccess { get; init; }
}
