using System.Globalization;
using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>Traffic that must stream through the proxy and the agent: WebSockets and 100 MB files.</summary>
[Collection(ContainersCollection.Name)]
public sealed class SandboxStreamingTests(SharedServer shared)
{
    private const int HundredMegabytes = 100 * 1024 * 1024;

    // A WebSocket echo server from the template's own packages (tornado comes with ipykernel).
    private const string EchoServer = """
        import tornado.ioloop, tornado.web, tornado.websocket
        class Echo(tornado.websocket.WebSocketHandler):
            def on_message(self, message):
                self.write_message("echo: " + message)
        tornado.web.Application([(r"/echo", Echo)]).listen(8765, address="127.0.0.1")
        tornado.ioloop.IOLoop.current().start()
        """;

    private HttpClient Http(string sandboxId, int port)
    {
        var http = new HttpClient { BaseAddress = shared.Server.BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Add("E2b-Sandbox-Id", sandboxId);
        http.DefaultRequestHeaders.Add("E2b-Sandbox-Port", port.ToString(CultureInfo.InvariantCulture));
        return http;
    }

    [Fact]
    public async Task WebSockets_GoThroughTheProxy_BothWays()
    {
        var id = await shared.Client.CreateAsync();
        try
        {
            await shared.Shell.ExecAsync(id, $"cat > /tmp/echo.py <<'EOF'\n{EchoServer}\nEOF");
            await shared.Shell.StartBackgroundAsync(id, "exec python3 /tmp/echo.py", asUser: true);

            using var socket = await ConnectWebSocketAsync(id, 8765, "/echo");
            Assert.Equal("echo: ping 1", await RoundTripAsync(socket, "ping 1"));
            Assert.Equal("echo: ping 2", await RoundTripAsync(socket, "ping 2"));
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{id}");
        }
    }

    [Fact]
    public async Task A100MegabyteFile_StreamsUpAndDown_WithoutTheAgentHoldingIt()
    {
        var created = (await shared.Client.PostAsync("/v2/sandboxes", new { templateID = "base" })).Json;
        var id = created.GetProperty("sandboxID").GetString()!;
        var token = created.GetProperty("envdAccessToken").GetString()!;
        try
        {
            using var http = Http(id, 49983);
            http.DefaultRequestHeaders.Add("X-Access-Token", token);
            var sent = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            using var content = new StreamContent(new GeneratedStream(HundredMegabytes, sent));
            content.Headers.ContentType = new("application/octet-stream");
            using (var upload = await http.PostAsync("/files?path=big.bin", content))
            {
                Assert.True(upload.StatusCode == HttpStatusCode.OK, await upload.Content.ReadAsStringAsync());
            }

            var received = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long length = 0;
            using (var download = await http.GetAsync("/files?path=big.bin", HttpCompletionOption.ResponseHeadersRead))
            {
                Assert.Equal(HttpStatusCode.OK, download.StatusCode);
                Assert.Equal(HundredMegabytes, download.Content.Headers.ContentLength);
                await using var body = await download.Content.ReadAsStreamAsync();
                var buffer = new byte[81920];
                int read;
                while ((read = await body.ReadAsync(buffer)) > 0)
                {
                    received.AppendData(buffer, 0, read);
                    length += read;
                }
            }

            Assert.Equal(HundredMegabytes, length);
            Assert.Equal(Convert.ToHexString(sent.GetHashAndReset()), Convert.ToHexString(received.GetHashAndReset()));

            // The agent is the sandbox's init: its peak resident memory shows whether it ever held the file.
            var (_, state) = await Host.RunAsync("crun", "--root", shared.Server.CrunRoot, "state", id);
            var agentPid = System.Text.Json.JsonDocument.Parse(state).RootElement.GetProperty("pid").GetInt32();
            var peakKb = long.Parse(File.ReadLines($"/proc/{agentPid}/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
            Assert.True(peakKb < 64 * 1024, $"the agent's peak RSS was {peakKb} kB");
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{id}");
        }
    }

    private async Task<ClientWebSocket> ConnectWebSocketAsync(string sandboxId, int port, string path)
    {
        var uri = new UriBuilder(shared.Server.BaseAddress) { Scheme = "ws", Path = path }.Uri;
        for (var attempt = 0; ; attempt++)
        {
            var socket = new ClientWebSocket();
            socket.Options.SetRequestHeader("E2b-Sandbox-Id", sandboxId);
            socket.Options.SetRequestHeader("E2b-Sandbox-Port", port.ToString(CultureInfo.InvariantCulture));
            try
            {
                await socket.ConnectAsync(uri, CancellationToken.None);
                return socket;
            }
            catch (WebSocketException) when (attempt < 50)
            {
                // The server in the sandbox is still starting (the proxy answers 502 until it listens).
                socket.Dispose();
                await Task.Delay(200);
            }
        }
    }

    private static async Task<string> RoundTripAsync(ClientWebSocket socket, string text)
    {
        await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, endOfMessage: true, CancellationToken.None);
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal(WebSocketMessageType.Text, received.MessageType);
        return Encoding.UTF8.GetString(buffer, 0, received.Count);
    }

    /// <summary>Deterministic bytes made as they are read, hashed on the way, never held whole.</summary>
    private sealed class GeneratedStream(long length, IncrementalHash hash) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            for (var i = 0; i < n; i++)
            {
                buffer[offset + i] = (byte)((_position + i) * 31 % 251);
            }

            hash.AppendData(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
