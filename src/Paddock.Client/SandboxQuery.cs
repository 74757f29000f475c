namespace Paddock.Client;

/// <summary>Which sandboxes <see cref="Sandbox.List"/> returns.</summary>
public sealed record SandboxQuery
{
    /// <summary>Only sandboxes in these states; both running and paused when null (killed ones only when asked for).</summary>
    public IReadOnlyList<SandboxState>? State { get; init; }

    /// <summary>Only sandboxes whose metadata has all these pairs.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Page size (1 to 100); 100 by default.</summary>
    public int? Limit { get; init; }
}
