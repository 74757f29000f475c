using System.Text.Json.Serialization;
using Paddock.Core.Sandboxes;

namespace Paddock.Server.Api.Contracts;

/// <summary>E2B's <c>SandboxDetail</c>: <see cref="ListedSandbox"/> and the sandbox's settings.</summary>
internal sealed record SandboxDetail : ListedSandbox
{
    private SandboxDetail(ListedSandbox listed, SandboxRecord r)
        : base(listed)
    {
        EnvdAccessToken = r.EnvdAccessToken;

        // Sandboxes have only loopback networking for now, whatever was asked.
        AllowInternetAccess = false;
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

    public static new SandboxDetail From(SandboxRecord r) => new(ListedSandbox.From(r), r);
}

/// <summary>What happens to a sandbox on timeout and on traffic while paused.</summary>
internal sealed record SandboxLifecycle(
    [property: JsonPropertyName("autoResume")] bool AutoResume,
    [property: JsonPropertyName("onTimeout")] string OnTimeout);
