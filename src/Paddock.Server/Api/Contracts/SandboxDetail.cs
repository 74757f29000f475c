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
        Network = r.AllowOut.Count > 0 || r.DenyOut.Count > 0 ? new SandboxNetwork(r.AllowOut, r.DenyOut) : null;
        Lifecycle = new SandboxLifecycle(r.AutoResume, r.AutoPause ? "pause" : "kill");
    }

    [JsonPropertyName("envdAccessToken")]
    public string? EnvdAccessToken { get; }

    [JsonPropertyName("allowInternetAccess")]
    public bool? AllowInternetAccess { get; }

    // Sandbox traffic is routed by headers on the API's own address, so there is no sandbox domain.
    [JsonPropertyName("domain")]
    public string? Domain { get; }

    [JsonPropertyName("lifecycle")]
    public SandboxLifecycle Lifecycle { get; }

    [JsonPropertyName("network")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SandboxNetwork? Network { get; }

    /// <param name="r">The sandbox.</param>
    /// <param name="allowInternetAccess">Whether it may reach the internet (its own setting, or the server's default).</param>
    public static SandboxDetail From(SandboxRecord r, bool allowInternetAccess) => new(ListedSandbox.From(r), r, allowInternetAccess);
}

/// <summary>E2B's <c>network</c> of a sandbox's detail: its outbound rules as given.</summary>
internal sealed record SandboxNetwork(
    [property: JsonPropertyName("allowOut")] IReadOnlyList<string> AllowOut,
    [property: JsonPropertyName("denyOut")] IReadOnlyList<string> DenyOut);

/// <summary>What happens to a sandbox on timeout and on traffic while paused.</summary>
internal sealed record SandboxLifecycle(
    [property: JsonPropertyName("autoResume")] bool AutoResume,
    [property: JsonPropertyName("onTimeout")] string OnTimeout);
