namespace Paddock.Client;

/// <summary>The severity of a sandbox log entry, lowest first.</summary>
public enum SandboxLogLevel
{
    /// <summary>Detail for debugging.</summary>
    Debug,

    /// <summary>Something that happened as expected.</summary>
    Info,

    /// <summary>Something unexpected that did not stop the sandbox.</summary>
    Warn,

    /// <summary>A failure.</summary>
    Error,
}
