using Paddock.Core.Network;

namespace Paddock.Core.SandboxRuntime;

/// <summary>What the runtime needs to build one sandbox.</summary>
public sealed record SandboxSpec
{
    /// <summary>The sandbox id, also the container id.</summary>
    public required string SandboxId { get; init; }

    /// <summary>The template whose root filesystem the sandbox starts from.</summary>
    public required string TemplateId { get; init; }

    /// <summary>The snapshot whose layer lies between the template and the sandbox's own layer, if any.</summary>
    public string? SnapshotId { get; init; }

    /// <summary>CPU limit in whole CPUs.</summary>
    public required int CpuCount { get; init; }

    /// <summary>Memory limit in MiB.</summary>
    public required int MemoryMB { get; init; }

    /// <summary>How much its writable layer may hold, in MiB.</summary>
    public required int DiskSizeMB { get; init; }

    /// <summary>The token agent requests must carry, for a secure sandbox.</summary>
    public string? EnvdAccessToken { get; init; }

    /// <summary>Environment variables of the sandbox's processes.</summary>
    public IReadOnlyDictionary<string, string> EnvVars { get; init; } = new Dictionary<string, string>();

    /// <summary>What its outbound traffic may reach.</summary>
    public EgressRules Egress { get; init; } = EgressRules.None;
}
