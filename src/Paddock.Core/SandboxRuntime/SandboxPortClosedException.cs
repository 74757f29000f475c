namespace Paddock.Core.SandboxRuntime;

/// <summary>Nothing listens on the requested port inside the sandbox.</summary>
public sealed class SandboxPortClosedException(string sandboxId, int port, string reason)
    : Exception($"port {port} of sandbox {sandboxId} is not open: {reason}")
{
    /// <summary>The sandbox.</summary>
    public string SandboxId { get; } = sandboxId;

    /// <summary>The port.</summary>
    public int Port { get; } = port;
}
