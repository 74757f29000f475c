using System.Net;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// A sandbox made from a snapshot, and a fork, are sandboxes of their own: each gets its own access token (and traffic
/// token), never its source's, which the snapshot does not carry.
/// </summary>
public sealed class SnapshotTokensTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private readonly ApiClient _api = server.Client();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task SandboxesFromASnapshot_AndForks_GetTokensOfTheirOwn()
    {
        var source = (await _api.PostAsync("/v2/sandboxes", new { templateID = "base", network = new { allowPublicTraffic = false } }))
            .AssertStatus(HttpStatusCode.Created).Json;
        var sourceId = source.GetProperty("sandboxID").GetString()!;
        var tokens = new List<string?> { source.GetProperty("envdAccessToken").GetString(), source.GetProperty("trafficAccessToken").GetString() };

        var snapshot = (await _api.PostAsync($"/sandboxes/{sourceId}/snapshots", new { })).AssertStatus(HttpStatusCode.Created).Json.GetProperty("snapshotID").GetString()!;
        var made = (await _api.PostAsync("/v2/sandboxes", new { templateID = snapshot, network = new { allowPublicTraffic = false } })).AssertStatus(HttpStatusCode.Created).Json;
        tokens.Add(made.GetProperty("envdAccessToken").GetString());
        tokens.Add(made.GetProperty("trafficAccessToken").GetString());
        Assert.Equal(made.GetProperty("envdAccessToken").GetString(), server.Runtime.SpecOf(made.GetProperty("sandboxID").GetString()!).EnvdAccessToken);

        var forks = (await _api.PostAsync($"/sandboxes/{sourceId}/fork", new { count = 2 })).AssertStatus(HttpStatusCode.Created).Json.EnumerateArray().ToList();
        Assert.Equal(2, forks.Count);
        foreach (var fork in forks.Select(f => f.GetProperty("sandbox")))
        {
            tokens.Add(fork.GetProperty("envdAccessToken").GetString());
            tokens.Add(fork.GetProperty("trafficAccessToken").GetString());
        }

        Assert.All(tokens, t => Assert.Matches("^[0-9a-f]{64}$", t));
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
    }
}
