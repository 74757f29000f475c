using System.Globalization;
using System.Net.Security;
using Paddock.Core.SandboxRuntime;

namespace Paddock.Server.Proxy;

/// <summary>
/// The HTTP client side of the proxy: one pooled handler whose connections are opened by the runtime
/// through the sandbox's channel. The destination host <c>&lt;port&gt;-&lt;sandboxId&gt;.sandbox</c> tells the
/// connect callback where to go and keeps connection pools apart per sandbox and port.
/// </summary>
internal sealed class SandboxTransport : IDisposable
{
    private const string HostSuffix = ".sandbox";

    public SandboxTransport(ISandboxRuntime runtime)
    {
        Invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            // An open connection keeps a sandbox's agent awake (see RuntimeOptions.AgentSleepAfter): an idle one is let
            // go after a few seconds, and a new one through the channel costs a fraction of a millisecond.
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5),

            // A sandbox decides how fast it answers and how much it sends: a bounded wait to connect, and
            // response headers capped (bodies stream through to the client, never buffered here).
            ConnectTimeout = TimeSpan.FromSeconds(15),
            MaxResponseHeadersLength = 64,
            ActivityHeadersPropagator = null,
            // A port listed in httpsPorts serves its own TLS, usually with a self-signed certificate: the hop is
            // on this host, through the sandbox's channel, to the server the caller asked for, so there is
            // nothing a certificate check would add (E2B's proxy does not check them either).
#pragma warning disable CA5359 // Deliberate, for the reason above.
            SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = static (_, _, _, _) => true },
#pragma warning restore CA5359
            ConnectCallback = async (context, cancellationToken) =>
            {
                var (sandboxId, port) = Parse(context.DnsEndPoint.Host);
                return await runtime.ConnectAsync(sandboxId, port, cancellationToken);
            },
        });
    }

    public HttpMessageInvoker Invoker { get; }

    public static string DestinationOf(SandboxTarget target, bool https) =>
        string.Create(CultureInfo.InvariantCulture, $"{(https ? "https" : "http")}://{target.Port}-{target.SandboxId}{HostSuffix}/");

    private static (string SandboxId, int Port) Parse(string host)
    {
        var label = host[..^HostSuffix.Length];
        var dash = label.IndexOf('-', StringComparison.Ordinal);
        return (label[(dash + 1)..], int.Parse(label[..dash], CultureInfo.InvariantCulture));
    }

    public void Dispose() => Invoker.Dispose();
}
