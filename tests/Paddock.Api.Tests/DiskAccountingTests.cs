using System.Net;
using System.Net.Http.Headers;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// The disk paused sandboxes and snapshots hold is counted: a paused sandbox's metrics still report its layer, the
/// listing its quota, and the server's <c>/metrics</c> the bytes held by running and paused layers and by snapshots.
/// </summary>
public sealed class DiskAccountingTests : IAsyncLifetime
{
    private const long MiB = 1024 * 1024;

    private readonly InProcessServer _server = new();
    private ApiClient _api = null!;

    public Task InitializeAsync()
    {
        _api = _server.Client();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task APausedSandbox_StillReportsItsDisk_InItsMetricsAndTheListing()
    {
        _server.Runtime.DiskUsedBytes = 7 * MiB;
        var frozen = await _api.CreateAsync();
        var onDisk = await _api.CreateAsync();
        (await _api.PostAsync($"/sandboxes/{frozen}/pause")).AssertStatus(HttpStatusCode.NoContent);
        (await _api.PostAsync($"/sandboxes/{onDisk}/pause", new { memory = false })).AssertStatus(HttpStatusCode.NoContent);

        var frozenSample = Assert.Single((await _api.GetAsync($"/sandboxes/{frozen}/metrics")).AssertStatus(HttpStatusCode.OK).Json.EnumerateArray());
        Assert.Equal(7 * MiB, frozenSample.GetProperty("diskUsed").GetInt64());
        Assert.Equal(10240 * MiB, frozenSample.GetProperty("diskTotal").GetInt64());

        var onDiskSample = Assert.Single((await _api.GetAsync($"/sandboxes/{onDisk}/metrics")).AssertStatus(HttpStatusCode.OK).Json.EnumerateArray());
        Assert.Equal((7 * MiB, 10240 * MiB), (onDiskSample.GetProperty("diskUsed").GetInt64(), onDiskSample.GetProperty("diskTotal").GetInt64()));
        Assert.Equal((0.0, 0L, 0L), (onDiskSample.GetProperty("cpuUsedPct").GetDouble(), onDiskSample.GetProperty("memUsed").GetInt64(), onDiskSample.GetProperty("memCache").GetInt64()));
        Assert.Equal(512 * MiB, onDiskSample.GetProperty("memTotal").GetInt64());
        Assert.Equal(2, onDiskSample.GetProperty("cpuCount").GetInt32());

        var listed = (await _api.GetAsync("/v2/sandboxes?state=paused")).AssertStatus(HttpStatusCode.OK).Json.EnumerateArray().ToList();
        Assert.Equal(2, listed.Count);
        Assert.All(listed, s => Assert.Equal(10240, s.GetProperty("diskSizeMB").GetInt32()));
        Assert.Equal(10240, (await _api.GetAsync($"/sandboxes/{onDisk}")).Json.GetProperty("diskSizeMB").GetInt32());
    }

    [Fact]
    public async Task ASandboxMadeFromASnapshot_HasTheQuotaOfAnyOther_AndReportsIt()
    {
        var source = await _api.CreateAsync();
        var snapshotId = (await _api.PostAsync($"/sandboxes/{source}/snapshots", new { })).AssertStatus(HttpStatusCode.Created).Json.GetProperty("snapshotID").GetString()!;
        var made = await _api.CreateAsync(new { templateID = snapshotId });

        Assert.Equal(10240, _server.Runtime.SpecOf(made).DiskSizeMB);
        Assert.Equal(10240, (await _api.GetAsync($"/sandboxes/{made}")).Json.GetProperty("diskSizeMB").GetInt32());
        var sample = Assert.Single((await _api.GetAsync($"/sandboxes/{made}/metrics")).Json.EnumerateArray());
        Assert.Equal(10240 * MiB, sample.GetProperty("diskTotal").GetInt64());
    }

    [Fact]
    public async Task HostMetrics_CountRunningAndPausedLayers_AndSnapshots()
    {
        _server.Runtime.DiskUsedBytes = 3 * MiB;
        var running = await _api.CreateAsync();
        var frozen = await _api.CreateAsync();
        var onDisk = new[] { await _api.CreateAsync(), await _api.CreateAsync() };
        (await _api.PostAsync($"/sandboxes/{running}/snapshots", new { name = "host-metrics" })).AssertStatus(HttpStatusCode.Created);
        (await _api.PostAsync($"/sandboxes/{frozen}/pause")).AssertStatus(HttpStatusCode.NoContent);
        foreach (var id in onDisk)
        {
            (await _api.PostAsync($"/sandboxes/{id}/pause", new { memory = false })).AssertStatus(HttpStatusCode.NoContent);
        }

        var killed = await _api.CreateAsync();
        (await _api.DeleteAsync($"/sandboxes/{killed}")).AssertStatus(HttpStatusCode.NoContent);

        var metrics = await _api.GetAsync("/metrics");
        metrics.AssertStatus(HttpStatusCode.OK);
        var lines = metrics.Text.Split('\n');
        Assert.Contains("paddock_sandboxes{state=\"running\"} 1", lines);
        Assert.Contains("paddock_sandboxes{state=\"paused\",paused_as=\"memory\"} 1", lines);
        Assert.Contains("paddock_sandboxes{state=\"paused\",paused_as=\"filesystem\"} 2", lines);
        Assert.Contains($"paddock_sandbox_disk_bytes{{state=\"running\"}} {3 * MiB}", lines);
        Assert.Contains($"paddock_sandbox_disk_bytes{{state=\"paused\",paused_as=\"memory\"}} {3 * MiB}", lines);
        Assert.Contains($"paddock_sandbox_disk_bytes{{state=\"paused\",paused_as=\"filesystem\"}} {6 * MiB}", lines);
        Assert.Contains("paddock_snapshots 1", lines);
        Assert.Contains($"paddock_snapshot_disk_bytes {3 * MiB}", lines);
        Assert.Contains("# TYPE paddock_sandbox_disk_bytes gauge", lines);

        // The server's figures are the operator's: the API key is asked for, as on every route but /health.
        Assert.Equal(HttpStatusCode.Unauthorized, (await _api.GetAsync("/metrics", key: string.Empty)).Status);
    }

    [Fact]
    public async Task HostMetrics_AreText_ThatAScraperReads()
    {
        using var http = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add("X-API-Key", ServerProcess.ApiKey);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(MediaTypeHeaderValue.Parse("text/plain; version=0.0.4; charset=utf-8"), response.Content.Headers.ContentType);
        Assert.Contains("paddock_sandboxes{state=\"running\"} 0", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
