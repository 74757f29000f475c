namespace Paddock.Client;

/// <summary>
/// Some forks of a sandbox could not be made. The ones that were are running, and yours to use or kill
/// (<see cref="Forks"/>); <see cref="Errors"/> says why each of the others failed.
/// </summary>
public sealed class SandboxForkException : SandboxException
{
    internal SandboxForkException(IReadOnlyList<Sandbox> forks, IReadOnlyList<SandboxException> errors)
        : base($"{errors.Count} of {forks.Count + errors.Count} forks failed: {errors[0].Message}", errors[0])
    {
        Forks = forks;
        Errors = errors;
    }

    /// <summary>The forks that were made, running.</summary>
    public IReadOnlyList<Sandbox> Forks { get; }

    /// <summary>Why each of the others failed, as the API answered (a <see cref="RateLimitException"/> at the concurrency limit, …).</summary>
    public IReadOnlyList<SandboxException> Errors { get; }
}
