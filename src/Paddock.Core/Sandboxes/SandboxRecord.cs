using Paddock.Core.Network;

namespace Paddock.Core.Sandboxes;

/// <summary>
/// Everything Paddock keeps about one sandbox. Immutable: settings change with <c>with</c>, and the state
/// only through the transition methods below, each checked against <see cref="SandboxTransitions"/> (the
/// store sets it when it reads a record back).
/// </summary>
public sealed record SandboxRecord
{
    /// <summary>The sandbox id (<c>i</c> + 20 of <c>[a-z0-9]</c>).</summary>
    public required string Id { get; init; }

    /// <summary>The id of the template it was created from.</summary>
    public required string TemplateId { get; init; }

    /// <summary>The snapshot it was created from (its files lie over the template's), if any.</summary>
    public string? SnapshotId { get; init; }

    /// <summary>The template name or alias the client asked for (E2B reports it as the sandbox's alias).</summary>
    public string? Alias { get; init; }

    /// <summary>Its current state (<see cref="SandboxState.Creating"/> for a new record).</summary>
    public SandboxState State { get; internal init; }

    /// <summary>When it became ready (or was last resumed); the timeout clock runs from here. Until then, when it was asked for.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it times out: set when it starts running, kept as it was once it is paused or killed.</summary>
    public DateTimeOffset? EndAt { get; init; }

    /// <summary>When it was paused, while paused.</summary>
    public DateTimeOffset? PausedAt { get; init; }

    /// <summary>How it is kept while paused (the sub-state of <see cref="SandboxState.Paused"/>); null otherwise.</summary>
    public PauseKind? PausedAs { get; internal init; }

    /// <summary>When it was killed, once killed.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>When the record was written.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>User metadata, matched by the list filter.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>Environment variables every process in the sandbox gets.</summary>
    public IReadOnlyDictionary<string, string> EnvVars { get; init; } = new Dictionary<string, string>();

    /// <summary>Pause instead of kill when the timeout passes.</summary>
    public bool AutoPause { get; init; }

    /// <summary>What the auto-pause keeps: memory and files (true, E2B's default), or the files only (false).</summary>
    public bool AutoPauseMemory { get; init; } = true;

    /// <summary>Resume automatically on traffic (recorded for E2B compatibility).</summary>
    public bool AutoResume { get; init; }

    /// <summary>Whether traffic to the in-sandbox agent needs <see cref="EnvdAccessToken"/>.</summary>
    public bool Secure { get; init; }

    /// <summary>The per-sandbox access token, for secure sandboxes.</summary>
    public string? EnvdAccessToken { get; init; }

    /// <summary>Whether the sandbox may reach the internet (null: the server default).</summary>
    public bool? AllowInternetAccess { get; init; }

    /// <summary><c>network.allowOut</c> as given: addresses, CIDRs and domains always let through.</summary>
    public IReadOnlyList<string> AllowOut { get; init; } = [];

    /// <summary><c>network.denyOut</c> as given: addresses and CIDRs blocked unless allowed.</summary>
    public IReadOnlyList<string> DenyOut { get; init; } = [];

    /// <summary>What its outbound traffic may reach, as asked.</summary>
    public EgressRules Egress => new() { AllowInternetAccess = AllowInternetAccess, AllowOut = AllowOut, DenyOut = DenyOut };

    /// <summary>Whether the sandbox's ports answer anyone; when false, only requests carrying <see cref="TrafficAccessToken"/>.</summary>
    public bool AllowPublicTraffic { get; init; } = true;

    /// <summary>The token every port but the agent's asks for when <see cref="AllowPublicTraffic"/> is false.</summary>
    public string? TrafficAccessToken { get; init; }

    /// <summary>The Host header requests to the sandbox's ports (not the agent's) carry, <c>${PORT}</c> replaced; null keeps theirs.</summary>
    public string? MaskRequestHost { get; init; }

    /// <summary>
    /// <c>network.httpsPorts</c>: the ports whose servers speak HTTPS themselves. The proxy reaches them over TLS
    /// (their certificates unchecked: the hop runs inside the host, to a sandbox the caller owns); callers still
    /// reach every port through the API's own address.
    /// </summary>
    public IReadOnlyList<int> HttpsPorts { get; init; } = [];

    /// <summary>CPUs the sandbox may use.</summary>
    public required int CpuCount { get; init; }

    /// <summary>Memory limit in MiB.</summary>
    public required int MemoryMB { get; init; }

    /// <summary>Disk quota of its writable layer, in MiB (0 for sandboxes made before quotas).</summary>
    public int DiskSizeMB { get; init; }

    /// <summary>The version of the in-sandbox agent protocol.</summary>
    public required string EnvdVersion { get; init; }

    /// <summary>Why it ended, once killed.</summary>
    public KillReason? KillReason { get; init; }

    /// <summary>Details of how it ended (for example the runtime's error), once killed.</summary>
    public string? KillMessage { get; init; }

    /// <summary>The moment the lifecycle must next act on this sandbox, if any.</summary>
    /// <param name="pausedRetention">How long a paused sandbox is kept.</param>
    /// <param name="freezeFor">How long a frozen sandbox keeps its memory before it is demoted to its files only (null: forever).</param>
    public DateTimeOffset? NextDeadline(TimeSpan pausedRetention, TimeSpan? freezeFor = null) => State switch
    {
        SandboxState.Running => EndAt,
        SandboxState.Paused when PausedAs == PauseKind.Memory && freezeFor is { } freeze && freeze < pausedRetention => PausedAt + freeze,
        SandboxState.Paused => PausedAt + pausedRetention,
        _ => null,
    };

    /// <summary>Its container runs: the timeout clock starts now.</summary>
    public SandboxRecord Started(DateTimeOffset now, DateTimeOffset endAt) =>
        Move(SandboxAction.Start) with { StartedAt = now, EndAt = endAt };

    /// <summary>Paused now: frozen in memory, or (<see cref="PauseKind.Filesystem"/>) stopped with only its files kept.</summary>
    public SandboxRecord Paused(DateTimeOffset now, PauseKind kind = PauseKind.Memory) =>
        Move(kind == PauseKind.Memory ? SandboxAction.Pause : SandboxAction.PauseToDisk) with { PausedAt = now };

    /// <summary>A frozen sandbox that gave its memory back: paused since the same moment, its files only kept.</summary>
    public SandboxRecord Demoted() => Move(SandboxAction.Demote);

    /// <summary>Its processes were found gone: paused on disk from now, or since it was paused.</summary>
    public SandboxRecord LostProcesses(DateTimeOffset now) => Move(SandboxAction.LoseProcesses) with { PausedAt = PausedAt ?? now };

    /// <summary>Running again from now, as a new run: its lifetime counts from now.</summary>
    public SandboxRecord Resumed(DateTimeOffset now, DateTimeOffset endAt) =>
        Move(SandboxAction.Resume) with { StartedAt = now, PausedAt = null, EndAt = endAt };

    /// <summary>Ended for good, and why: the only way a killed record is made.</summary>
    public SandboxRecord Killed(DateTimeOffset now, KillReason reason, string? message = null) =>
        Move(SandboxAction.Kill) with { EndedAt = now, PausedAt = null, KillReason = reason, KillMessage = message };

    /// <summary>Held to new outbound rules (a full replace, as E2B's update; internet access changes only when given).</summary>
    public SandboxRecord WithEgress(EgressRules rules) => Move(SandboxAction.UpdateNetwork) with
    {
        AllowInternetAccess = rules.AllowInternetAccess ?? AllowInternetAccess,
        AllowOut = rules.AllowOut,
        DenyOut = rules.DenyOut,
    };

    /// <summary>Times out at <paramref name="endAt"/> (earlier or later than now set).</summary>
    public SandboxRecord TimesOutAt(DateTimeOffset endAt) => Move(SandboxAction.SetTimeout) with { EndAt = endAt };

    /// <summary>Times out no earlier than <paramref name="endAt"/>.</summary>
    public SandboxRecord ExtendedTo(DateTimeOffset endAt) => Move(SandboxAction.Extend) with { EndAt = EndAt > endAt ? EndAt : endAt };

    private SandboxRecord Move(SandboxAction action)
    {
        var (state, pausedAs) = SandboxTransitions.Target(Id, State, PausedAs, action);
        return this with { State = state, PausedAs = pausedAs };
    }
}
