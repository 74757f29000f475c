namespace Paddock.Core.Lifecycle;

/// <summary>The envd protocol version Paddock's sandboxes report (E2B's SDKs gate features on it).</summary>
public static class EnvdCompatibility
{
    /// <summary>
    /// The highest envd version whose features the in-sandbox agent implements: every feature E2B's
    /// SDKs gate on a version (recursive watch 0.1.4, metrics 0.1.5, <c>stdin:false</c> 0.3.0, default
    /// user 0.4.0, CloseStdin 0.5.2, octet-stream upload 0.5.7, file metadata 0.6.2, <c>includeEntry</c>
    /// 0.6.3, <c>allowNetworkMounts</c> 0.6.4) is there, so the current envd's version is reported.
    /// </summary>
    public const string Version = "0.6.13";
}
