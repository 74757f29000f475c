namespace Paddock.Core.SandboxRuntime;

/// <summary>What a sandbox's writable layer holds and may hold, as its disk quota counts them.</summary>
/// <param name="UsedBytes">What the layer holds now, in bytes.</param>
/// <param name="LimitBytes">The most it may hold (the sandbox's quota), in bytes.</param>
public sealed record SandboxDisk(long UsedBytes, long LimitBytes);
