using Paddock.Core.Sandboxes;

namespace Paddock.Core.Lifecycle;

/// <summary>The sandbox after a connect, and whether the connect had to resume it.</summary>
public sealed record ConnectResult(SandboxRecord Sandbox, bool Resumed);
