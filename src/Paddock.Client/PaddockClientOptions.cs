namespace Paddock.Client;

/// <summary>
/// The SDK's settings in an application's configuration (section <c>Paddock</c> by convention), for
/// <c>services.AddPaddock(configuration)</c>.
/// What is not set falls back to the environment variables, as <see cref="ConnectionOptions"/> explains.
/// </summary>
public sealed class PaddockClientOptions
{
    /// <summary>The API's base address, e.g. <c>http://127.0.0.1:3000</c>.</summary>
    public Uri? ApiUrl { get; set; }

    /// <summary>Where sandbox traffic goes; the API's address by default.</summary>
    public Uri? SandboxUrl { get; set; }

    /// <summary>The API key (<c>e2b_…</c>). Keep it in a secret store, not in appsettings.json.</summary>
    public string? ApiKey { get; set; }

    /// <summary>The sandbox domain, for servers that route sandbox traffic by host name.</summary>
    public string? Domain { get; set; }

    /// <summary>How long one API request may take (sandbox creation included). Default 60 s.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>These settings as the SDK's connection options.</summary>
    public ConnectionOptions ToConnectionOptions() => new()
    {
        ApiUrl = ApiUrl,
        SandboxUrl = SandboxUrl,
        ApiKey = ApiKey,
        Domain = Domain,
        RequestTimeout = RequestTimeout,
    };
}
