namespace Paddock.Client;

/// <summary>How to run a command. Every property is optional.</summary>
public sealed record CommandOptions
{
    /// <summary>Environment variables for this command, on top of the sandbox's.</summary>
    public IReadOnlyDictionary<string, string>? Envs { get; init; }

    /// <summary>The working directory; the user's home by default.</summary>
    public string? Cwd { get; init; }

    /// <summary>The user to run as (<c>user</c> by default; <c>root</c> is allowed).</summary>
    public string? User { get; init; }

    /// <summary>Kill the command after this long (60 s by default; <see cref="TimeSpan.Zero"/> for no limit).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Called with each piece of stdout as it is printed.</summary>
    public Action<string>? OnStdout { get; init; }

    /// <summary>Called with each piece of stderr as it is printed.</summary>
    public Action<string>? OnStderr { get; init; }

    /// <summary>Keep stdin open for <see cref="Commands.SendStdinAsync"/>.</summary>
    public bool Stdin { get; init; }

    // A terminal's output, as raw bytes (escape sequences and all).
    internal Action<byte[]>? OnPtyData { get; init; }
}
