using System.Globalization;
using System.Net;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Security;

/// <summary>
/// What comes out of a sandbox is read by the host with limits: answers as large as the sandbox likes neither
/// grow the server's memory nor hang it, and what the server reports about a sandbox it measures itself.
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class UntrustedAnswersTests(SharedServer shared)
{
    // Answers every connection with one header line that never ends, or an endless body, as asked.
    private const string HostileServer = """
        import socket, threading
        def serve(port, answer):
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", port)); s.listen(16)
            while True:
                c, _ = s.accept()
                threading.Thread(target=answer, args=(c,), daemon=True).start()
        def endless_header(c):
            try:
                c.recv(65536); c.sendall(b"HTTP/1.1 200 OK\r\nX-Big: ")
                while True: c.sendall(b"a" * 65536)
            except OSError: pass
        def endless_body(c):
            try:
                c.recv(65536); c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n")
                while True: c.sendall(b"\0" * 65536)
            except OSError: pass
        threading.Thread(target=serve, args=(8201, endless_header), daemon=True).start()
        serve(8202, endless_body)
        """;

    [Fact]
    public async Task EndlessHeadersAndBodies_NeverGrowTheServer()
    {
        var id = await shared.Client.CreateAsync();
        try
        {
            await shared.Shell.ExecAsync(id, $"cat > /tmp/hostile.py <<'EOF'\n{HostileServer}\nEOF");
            await shared.Shell.StartBackgroundAsync(id, "exec python3 /tmp/hostile.py", asUser: true);
            await shared.Shell.WaitForListenerAsync(id, 8201);
            await shared.Shell.WaitForListenerAsync(id, 8202);
            var before = ServerResidentMb();

            // A header without end: refused once past the limit, as a bad gateway.
            var header = await SecureSandbox.RequestAsync(shared.Client, id, 8201, "/");
            Assert.Equal(HttpStatusCode.BadGateway, header.Status);

            // A body without end streams through to a client that reads 300 MB of it and leaves.
            using (var http = new HttpClient { BaseAddress = shared.Server.BaseAddress })
            using (var request = new HttpRequestMessage(HttpMethod.Get, "/"))
            {
                request.Headers.Add("E2b-Sandbox-Id", id);
                request.Headers.Add("E2b-Sandbox-Port", "8202");
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                await using var body = await response.Content.ReadAsStreamAsync();
                var buffer = new byte[1 << 16];
                long read = 0;
                while (read < 300L << 20)
                {
                    read += await body.ReadAsync(buffer);
                }
            }

            var after = ServerResidentMb();
            Assert.True(after - before < 64, $"the server grew from {before} MiB to {after} MiB");
            (await shared.Client.GetAsync("/health", string.Empty)).AssertStatus(HttpStatusCode.OK);
        }
        finally
        {
            await shared.Client.DeleteAsync($"/sandboxes/{id}");
        }
    }

    [Fact]
    public async Task Metrics_AreTheHostsMeasurements_EvenWhenTheAgentCannotAnswer()
    {
        var id = await shared.Client.CreateAsync();
        var agent = int.Parse(File.ReadAllText(Path.Combine(shared.Server.DataDir, "sandboxes", id, "init.pid")).Trim(), CultureInfo.InvariantCulture);
        try
        {
            await shared.Shell.ExecAsync(id, "head -c 50000000 /dev/urandom > /home/user/data.bin");

            // A stopped agent answers nothing; the host measures the sandbox without it.
            Host.Signal(agent, 19);
            var watch = System.Diagnostics.Stopwatch.StartNew();
            var metric = (await shared.Client.GetAsync($"/sandboxes/{id}/metrics")).AssertStatus(HttpStatusCode.OK).Json[0];
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"metrics took {watch.Elapsed}");
            Assert.InRange(metric.GetProperty("diskUsed").GetInt64(), 50_000_000, 80_000_000);
            Assert.Equal(10L * 1024 * 1024 * 1024, metric.GetProperty("diskTotal").GetInt64());
            Assert.Equal(512L * 1024 * 1024, metric.GetProperty("memTotal").GetInt64());
            Assert.True(metric.GetProperty("memUsed").GetInt64() > 1024 * 1024);
            Assert.Equal(2, metric.GetProperty("cpuCount").GetInt32());
        }
        finally
        {
            Host.Signal(agent, 18);
            await shared.Client.DeleteAsync($"/sandboxes/{id}");
        }
    }

    private long ServerResidentMb() => long.Parse(
        File.ReadLines($"/proc/{shared.Server.Pid}/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1],
        CultureInfo.InvariantCulture) / 1024;
}
