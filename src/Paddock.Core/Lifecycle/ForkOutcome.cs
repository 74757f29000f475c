using Paddock.Core.Errors;
using Paddock.Core.Sandboxes;

namespace Paddock.Core.Lifecycle;

/// <summary>One fork of a sandbox: the new sandbox, or why it could not be made.</summary>
public sealed record ForkOutcome(SandboxRecord? Sandbox, PaddockException? Error);
