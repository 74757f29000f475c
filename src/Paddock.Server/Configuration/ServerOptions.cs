namespace Paddock.Server.Configuration;

/// <summary>The API server's own settings (section <c>Paddock</c>); every one has a working default.</summary>
public sealed class ServerOptions
{
    /// <summary>Where the server listens when nothing else is configured.</summary>
    public const string DefaultUrl = "http://127.0.0.1:3000";

    /// <summary>Where the server also listens, for HTTPS, when a certificate is configured and nothing else is.</summary>
    public const string DefaultHttpsUrl = "https://127.0.0.1:3443";

    /// <summary>A fixed API key (for scripts); by default one is generated at first start and shown once.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Sandbox traffic may also be routed by host name, <c>&lt;port&gt;-&lt;sandboxId&gt;.&lt;Domain&gt;</c>.</summary>
    public string? Domain { get; set; }

    /// <summary>
    /// The PEM certificate (leaf first, then intermediates) every https:// address presents; with a <see cref="Domain"/>,
    /// a wildcard certificate for <c>*.&lt;Domain&gt;</c>. With none, the server speaks plain HTTP only.
    /// </summary>
    public string? TlsCert { get; set; }

    /// <summary>The PEM private key of <see cref="TlsCert"/>.</summary>
    public string? TlsKey { get; set; }

    /// <summary>The domain as host names are compared with it: lowercase, without leading or trailing dots.</summary>
    public void Normalize()
    {
        Domain = string.IsNullOrWhiteSpace(Domain) ? null : Domain.Trim('.').ToLowerInvariant();
        TlsCert = string.IsNullOrWhiteSpace(TlsCert) ? null : TlsCert;
        TlsKey = string.IsNullOrWhiteSpace(TlsKey) ? null : TlsKey;
    }

    /// <summary>Every broken rule, so one start reports all of them.</summary>
    public IEnumerable<string> Validate()
    {
        if (ApiKey is not null && !Auth.ApiKeys.IsWellFormed(ApiKey))
        {
            yield return "ApiKey (PADDOCK_API_KEY) must be 'e2b_' followed by 40 lowercase hex characters";
        }

        if ((TlsCert is null) != (TlsKey is null))
        {
            yield return "TlsCert (PADDOCK_TLS_CERT) and TlsKey (PADDOCK_TLS_KEY) go together: set both or neither";
        }
        else if (TlsCert is not null && CertificateError(TlsCert, TlsKey!) is { } error)
        {
            yield return $"TlsCert (PADDOCK_TLS_CERT) and TlsKey (PADDOCK_TLS_KEY) cannot be used: {error}";
        }
    }

    private static string? CertificateError(string certificatePath, string keyPath)
    {
        try
        {
            _ = Hosting.ServerCertificate.Load(certificatePath, keyPath);
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or ArgumentException)
        {
            return ex.Message;
        }
    }
}
