namespace Paddock.Core.Lifecycle;

/// <summary>The envd protocol version Paddock's sandboxes report (E2B's SDKs gate features on it).</summary>
public static class EnvdCompatibility
{
    /// <summary>
    /// The highest envd version whose features the in-sandbox agent implements. 0.1.0 is the lowest
    /// E2B's SDKs accept; it rises as the agent gains envd features.
    /// </summary>
    public const string Version = "0.1.0";
}
