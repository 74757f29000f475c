using System.Globalization;
using System.Net;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests.Security;

/// <summary>
/// What a sandbox may put on the host's disk: its writable layer up to its quota (kernel-enforced), its log up
/// to its cap. A server of its own, with a small quota and log cap, so filling them is quick.
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class DiskQuotaTests(SharedServer shared) : IAsyncLifetime
{
    private const int QuotaMB = 128;

    private readonly ServerProcess _server = new(environment: new()
    {
        ["PADDOCK_DISK_SIZE_MB"] = QuotaMB.ToString(CultureInfo.InvariantCulture),
        ["PADDOCK_LOG_LIMIT_MB"] = "1",
    });

    private ApiClient _client = null!;

    public async Task InitializeAsync()
    {
        await _server.StartAsync();
        _client = _server.Client();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task FillingTheDisk_StopsAtTheQuota_AndTheHostKeepsItsSpace()
    {
        var sandbox = await SecureSandbox.CreateAsync(_client);
        try
        {
            Assert.Equal(QuotaMB, (await _client.GetAsync($"/sandboxes/{sandbox.Id}")).Json.GetProperty("diskSizeMB").GetInt32());
            var hostFree = new DriveInfo(_server.DataDir).AvailableFreeSpace;

            var fill = await AgentCommand.RunAsync(_server.BaseAddress, sandbox.Id, sandbox.Token, "dd if=/dev/urandom of=/home/user/fill bs=1M count=400");
            Assert.NotEqual(0, fill.ExitCode);
            Assert.Contains("Disk quota exceeded", fill.Output, StringComparison.Ordinal);

            var spent = hostFree - new DriveInfo(_server.DataDir).AvailableFreeSpace;
            Assert.True(spent < (QuotaMB + 32) * 1024L * 1024, $"the host lost {spent >> 20} MiB to a sandbox with a {QuotaMB} MiB quota");

            // The metrics say so, measured by the host.
            var metric = (await _client.GetAsync($"/sandboxes/{sandbox.Id}/metrics")).AssertStatus(HttpStatusCode.OK).Json[0];
            Assert.Equal(QuotaMB * 1024L * 1024, metric.GetProperty("diskTotal").GetInt64());
            Assert.InRange(metric.GetProperty("diskUsed").GetInt64(), (QuotaMB - 16) * 1024L * 1024, QuotaMB * 1024L * 1024);

            // The files API answers as envd does when the disk is full.
            var upload = await UploadAsync(sandbox, "/home/user/more.bin", 32 * 1024 * 1024);
            Assert.Equal(HttpStatusCode.InsufficientStorage, upload.Status);
            Assert.Equal(507, upload.Json.GetProperty("code").GetInt32());

            // A full sandbox is killed like any other: nothing of it is left.
            (await _client.DeleteAsync($"/sandboxes/{sandbox.Id}")).AssertStatus(HttpStatusCode.NoContent);
            await LeakCheck.AssertNothingLeftAsync(_server, [sandbox.Id]);
        }
        finally
        {
            await _client.DeleteAsync($"/sandboxes/{sandbox.Id}");
        }
    }

    [Fact]
    public async Task RemovingFiles_GivesTheSpaceBack()
    {
        var sandbox = await SecureSandbox.CreateAsync(_client);
        try
        {
            var fill = await AgentCommand.RunAsync(_server.BaseAddress, sandbox.Id, sandbox.Token, "dd if=/dev/zero of=/home/user/fill bs=1M count=400");
            Assert.Contains("Disk quota exceeded", fill.Output, StringComparison.Ordinal);
            var cleanup = await AgentCommand.RunAsync(_server.BaseAddress, sandbox.Id, sandbox.Token, "rm /home/user/fill && sync && echo ok");
            Assert.Equal("ok", cleanup.Output.Trim());
            (await UploadAsync(sandbox, "/home/user/small.bin", 1024 * 1024)).AssertStatus(HttpStatusCode.OK);
        }
        finally
        {
            await _client.DeleteAsync($"/sandboxes/{sandbox.Id}");
        }
    }

    [Fact]
    public async Task TheLog_StaysUnderItsCap_WhileRunningAndAfterTheKill()
    {
        var sandbox = await SecureSandbox.CreateAsync(_client);
        var live = Path.Combine(_server.DataDir, "sandboxes", sandbox.Id, "log", "output.log");
        var padding = new string('x', 4000);

        // Every command's start is logged with its command line: 500 of them write about 2 MiB of log.
        for (var i = 0; i < 500; i++)
        {
            var run = await AgentCommand.RunAsync(_server.BaseAddress, sandbox.Id, sandbox.Token, $"true {i} {padding}");
            Assert.Equal(0, run.ExitCode);
            Assert.True(new FileInfo(live).Length <= 1024 * 1024, $"the live log is {new FileInfo(live).Length} bytes");
        }

        var log = (await _client.GetAsync($"/v2/sandboxes/{sandbox.Id}/logs?limit=1000")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("logs");
        Assert.Contains(log.EnumerateArray(), e => e.GetProperty("message").GetString()!.StartsWith("Earlier log entries were dropped", StringComparison.Ordinal));
        Assert.Contains(log.EnumerateArray(), e => e.GetProperty("message").GetString() == "Process started");

        (await _client.DeleteAsync($"/sandboxes/{sandbox.Id}")).AssertStatus(HttpStatusCode.NoContent);
        var kept = new FileInfo(Path.Combine(_server.DataDir, "logs", sandbox.Id + ".log"));
        Assert.InRange(kept.Length, 1, 1024 * 1024);
    }

    [Fact]
    public async Task EachServer_MapsItsSandboxes_ToRangesNoOtherServerUses()
    {
        var mine = await _client.CreateAsync();
        var theirs = await shared.Client.CreateAsync();
        try
        {
            var myRange = await RangeAsync(_server, mine);
            var theirRange = await RangeAsync(shared.Server, theirs);
            Assert.NotEqual(myRange, theirRange);

            // Each range is claimed, host-wide, by the server that uses it.
            var claims = "/var/lib/paddock/host-ids";
            Assert.Equal(_server.DataDir, (await File.ReadAllTextAsync(Path.Combine(claims, Slot(myRange)))).Trim());
            Assert.Equal(shared.Server.DataDir, (await File.ReadAllTextAsync(Path.Combine(claims, Slot(theirRange)))).Trim());
        }
        finally
        {
            await _client.DeleteAsync($"/sandboxes/{mine}");
            await shared.Client.DeleteAsync($"/sandboxes/{theirs}");
        }
    }

    private static string Slot(long hostIdBase) => ((hostIdBase - (1L << 30)) / 65536).ToString(CultureInfo.InvariantCulture);

    private static async Task<long> RangeAsync(ServerProcess server, string sandboxId)
    {
        var output = await new SandboxShell(server).ExecAsync(sandboxId, "cat /proc/self/uid_map");
        return long.Parse(output.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
    }

    private async Task<ApiResponse> UploadAsync(SecureSandbox sandbox, string path, int bytes)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/files?path={Uri.EscapeDataString(path)}");
        request.Headers.Add("E2b-Sandbox-Id", sandbox.Id);
        request.Headers.Add("E2b-Sandbox-Port", "49983");
        request.Headers.Add("X-Access-Token", sandbox.Token);
        request.Content = new ByteArrayContent(new byte[bytes]);
        request.Content.Headers.ContentType = new("application/octet-stream");
        return await _client.SendRawAsync(request);
    }
}
