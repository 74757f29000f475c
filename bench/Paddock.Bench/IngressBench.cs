using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;

namespace Paddock.Bench;

/// <summary>
/// The way into a sandbox's port: a GET to a small HTTP server inside a sandbox with private ports, through the
/// server's HTTPS address by host name (<c>getHost()</c>'s URL) and through its HTTP address by E2B's headers, both
/// with the traffic access token; next to the same GET sent straight into the sandbox's tunnel socket on the host,
/// the primitive under the proxy. Once with kept-alive connections, once with a new connection per request.
/// </summary>
internal static class IngressBench
{
    public const string Domain = "bench.paddock.test";
    private const int Rounds = 200;
    private const int Port = 8080;

    // HTTP/1.1 with a Content-Length, so a client may keep its connection.
    private const string Server = """
        import http.server
        class Hello(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'
            def do_GET(self):
                self.send_response(200)
                self.send_header('Content-Length', '2')
                self.end_headers()
                self.wfile.write(b'hi')
            def log_message(self, *args):
                pass
        http.server.ThreadingHTTPServer(('127.0.0.1', 8080), Hello).serve_forever()
        """;

    /// <summary>A self-signed certificate for <c>*.<see cref="Domain"/></c>, as PEM files in <paramref name="dir"/>.</summary>
    public static (string Certificate, string Key, string Thumbprint) MakeCertificate(string dir)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN=*.{Domain}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName($"*.{Domain}");
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certificatePath = Path.Combine(dir, "bench-cert.pem");
        var keyPath = Path.Combine(dir, "bench-key.pem");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath, certificate.Thumbprint);
    }

    public static async Task<string> RunAsync(PaddockServer server, string dataDir, string thumbprint)
    {
        using var created = await server.PostForJsonAsync("/v2/sandboxes", new { templateID = "base", timeout = 600, network = new { allowPublicTraffic = false } });
        var id = created.RootElement.GetProperty("sandboxID").GetString()!;
        var envdToken = created.RootElement.GetProperty("envdAccessToken").GetString()!;
        var trafficToken = created.RootElement.GetProperty("trafficAccessToken").GetString()!;
        using (var agent = AgentClient.ThroughApi(server.Address, id, envdToken))
        {
            await agent.WriteFileAsync("/tmp/hello_server.py", Encoding.UTF8.GetBytes(Server));
            await agent.RunAsync("/bin/bash", "-c", "setsid python3 /tmp/hello_server.py >/dev/null 2>&1 < /dev/null &");
        }

        var tunnel = Path.Combine(dataDir, "sandboxes", id, "tunnel.sock");
        var https = new Uri($"https://{Port}-{id}.{Domain}:{server.HttpsAddress!.Port}/");
        var rows = new StringBuilder();
        rows.AppendLine("| GET to a server in the sandbox | HTTPS by host name p50 | p95 | HTTP by headers p50 | p95 | tunnel socket p50 | p95 | HTTPS / tunnel p50 |");
        rows.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var keepAlive in new[] { true, false })
        {
            using var viaHttps = Client(keepAlive, (_, ct) => ConnectTcpAsync(server.HttpsAddress!, ct), thumbprint);
            viaHttps.DefaultRequestHeaders.Add("e2b-traffic-access-token", trafficToken);
            using var viaHeaders = Client(keepAlive, (_, ct) => ConnectTcpAsync(server.Address, ct), thumbprint);
            viaHeaders.DefaultRequestHeaders.Add("E2b-Sandbox-Id", id);
            viaHeaders.DefaultRequestHeaders.Add("E2b-Sandbox-Port", Port.ToString(CultureInfo.InvariantCulture));
            viaHeaders.DefaultRequestHeaders.Add("e2b-traffic-access-token", trafficToken);
            using var direct = Client(keepAlive, (_, ct) => ConnectTunnelAsync(tunnel, ct), thumbprint);

            var requests = new (HttpClient Client, Uri Url, Stats Stats)[]
            {
                (viaHttps, https, new Stats("https")),
                (viaHeaders, server.Address, new Stats("headers")),
                (direct, new Uri("http://sandbox/"), new Stats("tunnel")),
            };

            // The server in the sandbox may still be starting.
            await Eventually(() => GetAsync(direct, new Uri("http://sandbox/")));
            for (var i = 0; i < Rounds + 10; i++)
            {
                foreach (var (client, url, stats) in requests)
                {
                    var watch = Stopwatch.StartNew();
                    await GetAsync(client, url);
                    if (i >= 10)
                    {
                        stats.Add(watch.Elapsed.TotalMilliseconds);
                    }
                }
            }

            var (h, p, t) = (requests[0].Stats, requests[1].Stats, requests[2].Stats);
            var name = keepAlive ? "kept-alive connection" : "a new connection each (TLS handshake included)";
            rows.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} (n={Rounds}) | {h.P50:0.00} ms | {h.P95:0.00} ms | {p.P50:0.00} ms | {p.P95:0.00} ms | {t.P50:0.00} ms | {t.P95:0.00} ms | {h.P50 / t.P50:0.00}× |"));
        }

        // The refusal costs no trip into the sandbox.
        using (var refused = Client(true, (_, ct) => ConnectTcpAsync(server.HttpsAddress!, ct), thumbprint))
        using (var response = await refused.GetAsync(https))
        {
            if (response.StatusCode != HttpStatusCode.Forbidden)
            {
                throw new InvalidOperationException($"a private port without its token answered {(int)response.StatusCode}");
            }
        }

        await server.KillAsync(id);
        return rows.ToString();
    }

    private static HttpClient Client(bool keepAlive, Func<SocketsHttpConnectionContext, CancellationToken, ValueTask<Stream>> connect, string thumbprint)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = connect,
            PooledConnectionLifetime = keepAlive ? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
            SslOptions = new SslClientAuthenticationOptions
            {
                // The bench's own self-signed certificate, pinned.
                RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is X509Certificate2 c && c.Thumbprint == thumbprint,
            },
        };
        var client = new HttpClient(handler);
        if (!keepAlive)
        {
            client.DefaultRequestHeaders.ConnectionClose = true;
        }

        return client;
    }

    private static async Task GetAsync(HttpClient client, Uri url)
    {
        using var response = await client.GetAsync(url);
        if (response.StatusCode != HttpStatusCode.OK || await response.Content.ReadAsStringAsync() != "hi")
        {
            throw new InvalidOperationException($"GET {url} answered {(int)response.StatusCode}");
        }
    }

    private static async Task Eventually(Func<Task> work)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                await work();
                return;
            }
            catch (Exception) when (i < 100)
            {
                await Task.Delay(100);
            }
        }
    }

    private static async ValueTask<Stream> ConnectTcpAsync(Uri address, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(address.Host, address.Port, cancellationToken);
        return new NetworkStream(socket, ownsSocket: true);
    }

    // The tunnel's own handshake: the port, then "OK".
    private static async ValueTask<Stream> ConnectTunnelAsync(string tunnel, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(tunnel), cancellationToken);
            await socket.SendAsync(Encoding.ASCII.GetBytes($"{Port}\n"), cancellationToken);
            var answer = new byte[3];
            var read = 0;
            while (read < answer.Length)
            {
                var got = await socket.ReceiveAsync(answer.AsMemory(read), cancellationToken);
                read += got > 0 ? got : throw new InvalidOperationException("the tunnel closed before it answered");
            }

            return Encoding.ASCII.GetString(answer) == "OK\n"
                ? new NetworkStream(socket, ownsSocket: true)
                : throw new InvalidOperationException("the tunnel refused the port");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
