using Paddock.Core.Sandboxes;

namespace Paddock.Core.SandboxRuntime;

/// <summary>A sandbox whose init ended without the runtime being asked to end it, and why, as far as the host can tell.</summary>
/// <param name="SandboxId">The sandbox.</param>
/// <param name="Reason">Why it ended (<see cref="KillReason.OutOfMemory"/> or <see cref="KillReason.AgentExited"/>).</param>
/// <param name="Detail">What the host saw (for example the last words of its log).</param>
public sealed record SandboxExit(string SandboxId, KillReason Reason, string Detail);
