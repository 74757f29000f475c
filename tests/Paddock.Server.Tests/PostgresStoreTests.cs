using System.Net;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

/// <summary>
/// The whole server on the PostgreSQL store, chosen the way an operator chooses it (PADDOCK_STORE_PROVIDER and
/// PADDOCK_STORE_CONNECTION_STRING), against a real PostgreSQL server: the records, the lifecycle and the
/// sandboxes' logs live there and survive a crash of the server. The store's own rules are the contract suite's.
/// </summary>
[Collection(ContainersCollection.Name)]
public sealed class PostgresStoreTests
{
    [Fact]
    public async Task OnPostgres_RecordsLifecycleAndLogs_SurviveACrash()
    {
        await using var postgres = await PostgresServer.StartAsync();
        await using var server = new ServerProcess(environment: new()
        {
            ["PADDOCK_STORE_PROVIDER"] = "postgres",
            ["PADDOCK_STORE_CONNECTION_STRING"] = await postgres.CreateDatabaseAsync(),
        });
        await server.StartAsync();
        Assert.Contains("Records are kept in the PostgreSQL database", server.Log, StringComparison.Ordinal);

        var ids = new List<string>();
        using (var api = server.Client())
        {
            var running = await api.CreateAsync(new { templateID = "base", timeout = 600, metadata = new { store = "postgres" } });
            var paused = await api.CreateAsync();
            var killed = await api.CreateAsync();
            ids.AddRange([running, paused, killed]);
            (await api.PostAsync($"/sandboxes/{paused}/pause")).AssertStatus(HttpStatusCode.NoContent);
            (await api.DeleteAsync($"/sandboxes/{killed}")).AssertStatus(HttpStatusCode.NoContent);

            await server.StopAsync(crash: true);
            Assert.False(File.Exists(Path.Combine(server.DataDir, "paddock.db")), "the server wrote a SQLite store though it was told to use PostgreSQL");
            await server.StartAsync();

            var listed = (await api.GetAsync("/v2/sandboxes?metadata=store%3Dpostgres")).AssertStatus(HttpStatusCode.OK).Json;
            Assert.Equal(running, Assert.Single(listed.EnumerateArray()).GetProperty("sandboxID").GetString());
            Assert.Equal("paused", await api.StateOfAsync(paused));
            var history = (await api.GetAsync("/v2/sandboxes?state=killed&limit=100")).AssertStatus(HttpStatusCode.OK).Json;
            Assert.Contains(history.EnumerateArray(), s => s.GetProperty("sandboxID").GetString() == killed);
            var log = (await api.GetAsync($"/v2/sandboxes/{killed}/logs")).AssertStatus(HttpStatusCode.OK).Text;
            Assert.Contains("Sandbox killed: killed by request", log, StringComparison.Ordinal);

            (await api.PostAsync($"/v2/sandboxes/{paused}/connect", new { timeout = 30 })).AssertStatus(HttpStatusCode.Created);
            Assert.Equal("running", await api.StateOfAsync(paused));
            foreach (var id in new[] { running, paused })
            {
                (await api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
            }
        }

        await server.StopAsync();
        await LeakCheck.AssertNothingLeftAsync(server, ids);
    }

    [Fact]
    public async Task AnUnreachableStore_StopsTheStart_WithOneLineSayingWhich_AndNoPassword()
    {
        await using var server = new ServerProcess(environment: new()
        {
            ["PADDOCK_STORE_PROVIDER"] = "postgres",
            ["PADDOCK_STORE_CONNECTION_STRING"] = "Host=127.0.0.1;Port=1;Database=records;Username=paddock;Password=hunter2",
        });
        var failed = await Assert.ThrowsAsync<InvalidOperationException>(server.StartAsync);
        Assert.Contains("the server exited with 1", failed.Message, StringComparison.Ordinal);
        Assert.Contains("Paddock could not open its store, the PostgreSQL database records on 127.0.0.1:1 as paddock", server.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", server.Log, StringComparison.Ordinal);
        Assert.Empty(Host.MountPointsUnder(server.DataDir));
    }
}
