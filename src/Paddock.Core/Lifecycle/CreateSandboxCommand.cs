using Paddock.Core.Network;

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

    /// <summary>What its outbound traffic may reach (internet access null: the server's default).</summary>
    public EgressRules Egress { get; init; } = EgressRules.None;

    /// <summary>Whether the sandbox's ports answer without a traffic access token.</summary>
    public bool AllowPublicTraffic { get; init; } = true;

    /// <summary>The Host header requests to the sandbox's ports get, <c>${PORT}</c> replaced (null: their own).</summary>
    public string? MaskRequestHost { get; init; }

    /// <summary>The ports whose servers speak HTTPS: the proxy reaches them over TLS.</summary>
    public IReadOnlyList<int> HttpsPorts { get; init; } = [];
}
