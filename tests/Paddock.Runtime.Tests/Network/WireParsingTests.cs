using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Paddock.Runtime.Network;

namespace Paddock.Runtime.Tests.Network;

/// <summary>What the egress proxy and the resolver relay read from sandboxes' bytes: TLS SNI, HTTP Host, DNS questions and answers.</summary>
public sealed class WireParsingTests
{
    [Fact]
    public async Task ServerName_IsReadFromARealClientHello_InPieces()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptTcpClientAsync();
        await using var tls = new SslStream(client.GetStream());
        var handshake = tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "API.Example.test" });

        var received = new List<byte>();
        var buffer = new byte[4096];
        string? host = null;
        var verdict = ConnectionPreface.Verdict.Incomplete;
        while (verdict == ConnectionPreface.Verdict.Incomplete)
        {
            var n = await accepted.GetStream().ReadAsync(buffer);
            Assert.True(n > 0, "the client sent no whole ClientHello");
            received.AddRange(buffer.AsSpan(0, n).ToArray());
            // Fed a byte short of what came, the hello is incomplete; whole, it names the host.
            Assert.Equal(ConnectionPreface.Verdict.Incomplete, ConnectionPreface.ReadServerName(received.ToArray().AsSpan(0, received.Count - 1), out _));
            verdict = ConnectionPreface.ReadServerName(received.ToArray(), out host);
        }

        Assert.Equal("api.example.test", host);
        client.Close();
        await Assert.ThrowsAnyAsync<Exception>(() => handshake);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\nHost: api.test:8080\r\nAccept: */*\r\n\r\n", "api.test")]
    [InlineData("GET / HTTP/1.1\r\nhost:API.test.\r\n\r\n", "api.test")]
    [InlineData("GET / HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", null)]
    [InlineData("GET / HTTP/1.1\r\nX: y\r\n\r\n", null)]
    [InlineData("GET / HTTP/1.1\r\nHost: bad host\r\n\r\n", null)]
    [InlineData("GET http://api.test/x HTTP/1.1\r\nHost: api.test\r\n\r\n", "api.test")]
    public void HttpHost_IsTheHeaderWithoutItsPort(string request, string? expected)
    {
        Assert.Equal(ConnectionPreface.Verdict.Complete, ConnectionPreface.ReadHttpHost(Encoding.ASCII.GetBytes(request), out var host, out var refused));
        Assert.Equal(expected, host);
        Assert.False(refused);
        Assert.Equal(ConnectionPreface.Verdict.Incomplete, ConnectionPreface.ReadHttpHost(Encoding.ASCII.GetBytes(request[..^2]), out _, out _));
    }

    [Theory]
    [InlineData("GET http://evil.test/ HTTP/1.1\r\nHost: api.test\r\n\r\n")]
    [InlineData("CONNECT evil.test:443 HTTP/1.1\r\nHost: api.test\r\n\r\n")]
    [InlineData("GET http://evil.test/ HTTP/1.1\r\n\r\n")]
    public void HttpRequests_ThatReachAnotherSiteThanTheirHost_AreRefused(string request)
    {
        ConnectionPreface.ReadHttpHost(Encoding.ASCII.GetBytes(request), out _, out var refused);
        Assert.True(refused);
    }

    [Fact]
    public void HostLabels_LongerThanDnsAllows_NameNoHost()
    {
        ConnectionPreface.ReadHttpHost(Encoding.ASCII.GetBytes($"GET / HTTP/1.1\r\nHost: {new string('a', 64)}.wild.test\r\n\r\n"), out var host, out _);
        Assert.Null(host);
    }

    [Fact]
    public void NotTls_NamesNoHost()
    {
        Assert.Equal(ConnectionPreface.Verdict.Complete, ConnectionPreface.ReadServerName("GET / HTTP/1.1\r\n"u8, out var host));
        Assert.Null(host);
    }

    [Fact]
    public void DnsQuestion_RoundTrips_AndARefusalKeepsIt()
    {
        var query = DnsMessage.AQuery("Www.Wild.Test", 0x1234);
        Assert.Equal("www.wild.test", DnsMessage.QuestionOf(query));
        var refusal = DnsMessage.Refusal(query);
        Assert.Equal(0x12, refusal[0]);
        Assert.Equal(0x34, refusal[1]);
        Assert.Equal(0x80, refusal[2] & 0x80);
        Assert.Equal(5, refusal[3] & 0x0f);
        Assert.Equal(query.Length, refusal.Length);
        Assert.Null(DnsMessage.QuestionOf(refusal)); // an answer is not a query
        Assert.Null(DnsMessage.QuestionOf([1, 2, 3]));

        // Not an ordinary lookup: an UPDATE (opcode 5), a zone transfer (AXFR, type 252).
        var update = (byte[])query.Clone();
        update[2] = 5 << 3;
        Assert.Null(DnsMessage.QuestionOf(update));
        var transfer = (byte[])query.Clone();
        transfer[^3] = 252;
        Assert.Null(DnsMessage.QuestionOf(transfer));
        Assert.Throws<ArgumentException>(() => DnsMessage.AQuery(new string('a', 64) + ".test", 1));
    }

    [Fact]
    public void DnsAnswer_AddressesFollowCompressionPointers()
    {
        var query = DnsMessage.AQuery("api.test", 7);
        var answer = new List<byte>(query);
        answer[2] = 0x81;
        answer[3] = 0x80;
        answer[7] = 2; // two answers
        foreach (var address in new[] { new byte[] { 203, 0, 113, 10 }, [203, 0, 113, 12] })
        {
            answer.AddRange([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4]);
            answer.AddRange(address);
        }

        Assert.Equal([IPAddress.Parse("203.0.113.10"), IPAddress.Parse("203.0.113.12")], DnsMessage.AddressesIn(answer.ToArray(), 7));
        Assert.Empty(DnsMessage.AddressesIn(answer.ToArray(), 8)); // not the query's id
    }
}
