namespace Paddock.Server.Configuration;

/// <summary>The API server's own settings (section <c>Paddock</c>); every one has a working default.</summary>
public sealed class ServerOptions
{
    /// <summary>Where the server listens when nothing else is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:3000";

    /// <summary>A fixed API key (for scripts); by default one is generated at first start and shown once.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sandbox traffic may also be routed by host name, <c>&lt;port&gt;-&lt;sandboxId&gt;.&lt;Domain&gt;</c>.</summary>
    public string? Domain { get; set; }

    /// <summary>The domain as host names are compared with it: lowercase, without leading or trailing dots.</summary>
    public void Normalize() => Domain = string.IsNullOrWhiteSpace(Domain) ? null : Domain.Trim('.').ToLowerInvariant();

    /// <summary>Every broken rule, so one start reports all of them.</summary>
    public IEnumerable<string> Validate()
    {
        if (ApiKey is not null && !Auth.ApiKeys.IsWellFormed(ApiKey))
        {
            yield return "ApiKey (PADDOCK_API_KEY) must be 'e2b_' followed by 40 lowercase hex characters";
        }
    }
}
