using System.Globalization;
using System.Net;
using Microsoft.Data.Sqlite;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>
/// The server stops (SIGTERM, or kill -9 as a crash) and starts again on the same data dir: records,
/// running and paused sandboxes survive; deadlines that passed meanwhile apply at once; resources
/// without a record are removed. Each test has a server of its own.
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class ServerRestartTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Restart_KeepsSandboxes_AppliesOverdueDeadlines_RemovesOrphans(bool crash)
    {
        await using var server = new ServerProcess();
        await server.StartAsync();
        var shell = new SandboxShell(server);
        var ids = new List<string>();
        using (var api = server.Client())
        {
            var running = await api.CreateAsync(new { templateID = "base", timeout = 600, metadata = new { role = "running" } });
            var paused = await api.CreateAsync(new { templateID = "base", timeout = 600 });
            var expiring = await api.CreateAsync(new { templateID = "base", timeout = 600 });
            var autoPausing = await api.CreateAsync(new { templateID = "base", timeout = 600, autoPause = true });
            var orphan = await api.CreateAsync(new { templateID = "base", timeout = 600 });
            ids.AddRange([running, paused, expiring, autoPausing, orphan]);

            await shell.StartBackgroundAsync(running, "i=0; while :; do i=$((i+1)); echo $i > /tmp/c.tmp; mv /tmp/c.tmp /tmp/c; sleep 0.05; done");
            (await api.PostAsync($"/sandboxes/{paused}/pause")).AssertStatus(HttpStatusCode.NoContent);
            (await api.PostAsync($"/sandboxes/{expiring}/timeout", new { timeout = 2 })).AssertStatus(HttpStatusCode.NoContent);
            (await api.PostAsync($"/sandboxes/{autoPausing}/timeout", new { timeout = 2 })).AssertStatus(HttpStatusCode.NoContent);
            var deadlines = new List<DateTimeOffset>();
            foreach (var id in new[] { expiring, autoPausing })
            {
                var endAt = (await api.GetAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("endAt").GetString()!;
                deadlines.Add(DateTimeOffset.Parse(endAt, CultureInfo.InvariantCulture));
            }

            await server.StopAsync(crash);

            // Sandboxes outlive the server: they are not its children.
            Assert.Equal("running", await shell.ContainerStatusAsync(running));
            Assert.Equal("paused", await shell.ContainerStatusAsync(paused));
            var before = int.Parse(await shell.ReadUpperFileAsync(running, "/tmp/c"), CultureInfo.InvariantCulture);

            // While it is down, a record disappears (its container becomes an orphan) and deadlines pass.
            using (var db = new SqliteConnection($"Data Source={Path.Combine(server.DataDir, "paddock.db")};Pooling=false"))
            {
                db.Open();
                using var delete = db.CreateCommand();
                delete.CommandText = "DELETE FROM sandboxes WHERE id = $id";
                delete.Parameters.AddWithValue("$id", orphan);
                Assert.Equal(1, delete.ExecuteNonQuery());
            }

            await Eventually.TrueAsync(() => DateTimeOffset.UtcNow > deadlines.Max(), "both deadlines to pass while the server is down");
            await server.StartAsync();

            var info = (await api.GetAsync($"/sandboxes/{running}")).AssertStatus(HttpStatusCode.OK).Json;
            Assert.Equal("running", info.GetProperty("state").GetString());
            Assert.Equal("running", info.GetProperty("metadata").GetProperty("role").GetString());
            await Eventually.TrueAsync(
                async () => int.Parse(await shell.ReadUpperFileAsync(running, "/tmp/c"), CultureInfo.InvariantCulture) > before,
                "the running sandbox's counter to go on");

            Assert.Equal("paused", await api.StateOfAsync(paused));
            Assert.Equal("paused", await shell.ContainerStatusAsync(paused));

            await api.WaitForStateAsync(expiring, "gone", TimeSpan.FromSeconds(3));
            Assert.Contains("timeout", (await api.GetAsync($"/sandboxes/{expiring}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
            Assert.Equal("absent", await shell.ContainerStatusAsync(expiring));

            await api.WaitForStateAsync(autoPausing, "paused", TimeSpan.FromSeconds(3));
            Assert.Equal("paused", await shell.ContainerStatusAsync(autoPausing));

            Assert.Equal("absent", await shell.ContainerStatusAsync(orphan));
            Assert.False(Directory.Exists(Path.Combine(server.DataDir, "sandboxes", orphan)));

            // The paused sandbox resumes after the restart with its container intact.
            (await api.PostAsync($"/v2/sandboxes/{paused}/connect", new { timeout = 30 })).AssertStatus(HttpStatusCode.Created);
            Assert.Equal("running", await shell.ContainerStatusAsync(paused));

            foreach (var id in new[] { running, paused, autoPausing })
            {
                (await api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
            }
        }

        await server.StopAsync();
        await LeakCheck.AssertNothingLeftAsync(server, ids);
    }

    [Fact]
    public async Task EverySandboxEnded_LeavesNothingBehind_AndTemplateMountsAreReleased()
    {
        await using var server = new ServerProcess(environment: new() { ["PADDOCK_PAUSED_RETENTION"] = "00:00:02" });
        await server.StartAsync();
        var ids = new List<string>();
        using (var api = server.Client())
        {
            // Killed by request (running and paused), by timeout, and by the paused retention period.
            ids.Add(await api.CreateAsync());
            ids.Add(await api.CreateAsync());
            ids.Add(await api.CreateAsync(new { templateID = "base", timeout = 1 }));
            ids.Add(await api.CreateAsync(new { templateID = "base", timeout = 1, autoPause = true }));
            (await api.PostAsync($"/sandboxes/{ids[1]}/pause")).AssertStatus(HttpStatusCode.NoContent);
            (await api.DeleteAsync($"/sandboxes/{ids[0]}")).AssertStatus(HttpStatusCode.NoContent);
            (await api.DeleteAsync($"/sandboxes/{ids[1]}")).AssertStatus(HttpStatusCode.NoContent);
            await api.WaitForStateAsync(ids[2], "gone", TimeSpan.FromSeconds(5));
            await api.WaitForStateAsync(ids[3], "paused", TimeSpan.FromSeconds(5));
            await api.WaitForStateAsync(ids[3], "gone", TimeSpan.FromSeconds(6));
            Assert.Contains("retention", (await api.GetAsync($"/sandboxes/{ids[3]}")).AssertError(HttpStatusCode.NotFound), StringComparison.Ordinal);
        }

        await server.StopAsync();
        await LeakCheck.AssertNothingLeftAsync(server, ids);
        Assert.Empty(Host.MountPointsUnder(server.DataDir));
    }
}
