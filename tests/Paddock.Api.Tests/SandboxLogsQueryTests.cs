using System.Net;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>The log queries E2B's API takes, and what it refuses.</summary>
public sealed class SandboxLogsQueryTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private readonly ApiClient _api = server.Client();

    private ApiClient Api => _api;

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task BadQueries_Are400_NamingEveryProblem_AndUnknownSandboxesAre404()
    {
        var id = await Api.CreateAsync();
        try
        {
            var message = (await Api.GetAsync($"/v2/sandboxes/{id}/logs?direction=sideways&level=loud&limit=5000&cursor=yesterday"))
                .AssertError(HttpStatusCode.BadRequest);
            foreach (var name in new[] { "direction", "level", "limit", "cursor" })
            {
                Assert.Contains(name, message, StringComparison.Ordinal);
            }

            var search = new string('x', 257);
            Assert.Contains("search", (await Api.GetAsync($"/v2/sandboxes/{id}/logs?search={search}")).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
            (await Api.GetAsync("/v2/sandboxes/inosuchsandbox0000000000/logs")).AssertError(HttpStatusCode.NotFound);
            (await Api.GetAsync($"/v2/sandboxes/{id}/logs", key: "e2b_" + new string('0', 40))).AssertStatus(HttpStatusCode.Unauthorized);
        }
        finally
        {
            await Api.DeleteAsync($"/sandboxes/{id}");
        }
    }
}
