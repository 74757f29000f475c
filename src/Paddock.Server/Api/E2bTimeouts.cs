namespace Paddock.Server.Api;

/// <summary>E2B's API's rules for the timeouts requests carry, in whole seconds.</summary>
internal static class E2bTimeouts
{
    /// <summary>A v1 create's (and the deprecated resume's) timeout when none is given.</summary>
    public static readonly TimeSpan V1Default = TimeSpan.FromSeconds(15);

    /// <summary>A v2 create's (and a v2 connect's) timeout when none is given.</summary>
    public static readonly TimeSpan V2Default = TimeSpan.FromSeconds(300);

    /// <summary>A refresh extends by at least this much…</summary>
    public static readonly TimeSpan MinRefresh = TimeSpan.FromSeconds(15);

    /// <summary>…and at most this much.</summary>
    public static readonly TimeSpan MaxRefresh = TimeSpan.FromSeconds(3600);

    public static TimeSpan Seconds(int seconds) => TimeSpan.FromSeconds(seconds);
}
