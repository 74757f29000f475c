using System.Text.Json.Serialization;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>SandboxDetail</c>: <see cref="ListedSandbox"/> and the sandbox's settings.</summary>
internal sealed record SandboxDetail : ListedSandbox
{
    private SandboxDetail(ListedSandbox listed, SandboxRecord r, bool allowInternetAccess)
        : base(listed)
    {
        EnvdAccessToken = r.EnvdAccessToken;
        AllowInternetAccess = allowInternetAccess;
        Lifecycle = new SandboxLifecycle(r.AutoResume, r.AutoPause ? "pause" : "kill");
        Network = SandboxNetwork.From(r);
    }

    [JsonPropertyName("envdAccessToken")]
    public string? EnvdAccessToken { get; }

    [JsonPropertyName("allowInternetAccess")]
    public bool? AllowInternetAccess { get; }

    // Null: the SDK keeps the domain it was configured with, the one that reaches this server (a port included).
    [JsonPropertyName("domain")]
    public string? Domain { get; }

    [JsonPropertyName("lifecycle")]
    public SandboxLifecycle Lifecycle { get; }

    [JsonPropertyName("network")]
    public SandboxNetwork Network { get; }

    /// <param name="r">The sandbox.</param>
    /// <param name="allowInternetAccess">Whether it may reach the internet (its own setting, or the server's default).</param>
    public static SandboxDetail From(SandboxRecord r, bool allowInternetAccess) => new(ListedSandbox.From(r), r, allowInternetAccess);
}

/// <summary>What happens to a sandbox on timeout and on traffic while paused.</summary>
internal sealed record SandboxLifecycle(
    [property: JsonPropertyName("autoResume")] bool AutoResume,
    [property: JsonPropertyName("onTimeout")] string OnTimeout);
