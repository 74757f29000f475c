using System.Net;
using System.Text.RegularExpressions;
using Paddock.Server.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Server.Tests;

[Collection(ContainersCollection.Name)]
public sealed partial class ApiKeyTests
{
    [GeneratedRegex("e2b_[0-9a-f]{40}")]
    private static partial Regex KeyPattern();

    [Fact]
    public async Task FirstStart_CreatesAKey_PrintsItOnce_AndStoresOnlyItsHash()
    {
        await using var server = new ServerProcess(fixedKey: false);
        await server.StartAsync();
        var printed = KeyPattern().Matches(server.Log).Select(m => m.Value).Distinct().ToList();
        var key = Assert.Single(printed);

        using (var api = server.Client(key))
        {
            (await api.GetAsync("/v2/sandboxes")).AssertStatus(HttpStatusCode.OK);
        }

        using (var wrong = server.Client(ServerProcess.ApiKey))
        {
            (await wrong.GetAsync("/v2/sandboxes")).AssertError(HttpStatusCode.Unauthorized);
        }

        await server.StopAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var database = await File.ReadAllBytesAsync(Path.Combine(server.DataDir, "paddock.db"));
        var wal = Path.Combine(server.DataDir, "paddock.db-wal");
        var files = System.Text.Encoding.ASCII.GetString(database) + (File.Exists(wal) ? System.Text.Encoding.ASCII.GetString(await File.ReadAllBytesAsync(wal)) : string.Empty);
        Assert.DoesNotContain(key, files, StringComparison.Ordinal);

        // A second start prints nothing new and still accepts the key.
        var logLength = server.Log.Length;
        await server.StartAsync();
        Assert.Empty(KeyPattern().Matches(server.Log[logLength..]));
        using (var api = server.Client(key))
        {
            (await api.GetAsync("/v2/sandboxes")).AssertStatus(HttpStatusCode.OK);
        }

        await server.StopAsync();
    }

    [Fact]
    public async Task MalformedFixedKey_IsRefusedAtStart()
    {
        await using var server = new ServerProcess(environment: new() { ["PADDOCK_API_KEY"] = "secret" });
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(server.StartAsync);
        Assert.Contains("must be 'e2b_' followed by 40 lowercase hex", ex.Message, StringComparison.Ordinal);
    }
}
