using System.Net;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// E2B's outbound rules through the API: kept as given, reported back, replaced in full by
/// <c>PUT /sandboxes/{id}/network</c>, handed to the runtime; bad entries named in one 400 that builds nothing.
/// </summary>
public sealed class NetworkRulesTests(InProcessServer server) : IClassFixture<InProcessServer>, IDisposable
{
    private readonly ApiClient _api = server.Client();

    public void Dispose() => _api.Dispose();

    [Fact]
    public async Task Create_KeepsTheRules_ReportsThem_AndGivesThemToTheRuntime()
    {
        var id = await _api.CreateAsync(new
        {
            templateID = "base",
            allow_internet_access = false,
            network = new { allowOut = new[] { "api.example.com", "1.2.3.0/24" }, denyOut = new[] { "0.0.0.0/0" } },
        });
        var detail = (await _api.GetAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.OK).Json;
        Assert.False(detail.GetProperty("allowInternetAccess").GetBoolean());
        Assert.Equal(["api.example.com", "1.2.3.0/24"], detail.GetProperty("network").GetProperty("allowOut").EnumerateArray().Select(e => e.GetString()));
        var egress = server.Runtime.SpecOf(id).Egress;
        Assert.False(egress.AllowInternetAccess);
        Assert.Equal(["0.0.0.0/0"], egress.DenyOut);
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Update_ReplacesEverything_InternetOnlyWhenGiven()
    {
        var id = await _api.CreateAsync(new { templateID = "base", allow_internet_access = false, network = new { allowOut = new[] { "1.1.1.1" } } });
        (await _api.SendAsync(HttpMethod.Put, $"/sandboxes/{id}/network", "{\"denyOut\":[\"8.8.8.8\"]}")).AssertStatus(HttpStatusCode.NoContent);
        var egress = server.Runtime.SpecOf(id).Egress;
        Assert.Empty(egress.AllowOut);
        Assert.Equal(["8.8.8.8"], egress.DenyOut);
        Assert.False(egress.AllowInternetAccess);

        (await _api.SendAsync(HttpMethod.Put, $"/sandboxes/{id}/network", "{}")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Empty(server.Runtime.SpecOf(id).Egress.DenyOut);

        (await _api.SendAsync(HttpMethod.Put, $"/sandboxes/{id}/network", "{\"allow_internet_access\":true}")).AssertStatus(HttpStatusCode.NoContent);
        Assert.True((await _api.GetAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.OK).Json.GetProperty("allowInternetAccess").GetBoolean());
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Update_OfAPausedSandbox_Holds_OfAKilledOrUnknownOne_Is404()
    {
        var id = await _api.CreateAsync();
        (await _api.PostAsync($"/sandboxes/{id}/pause", new { })).AssertStatus(HttpStatusCode.NoContent);
        (await _api.SendAsync(HttpMethod.Put, $"/sandboxes/{id}/network", "{\"denyOut\":[\"0.0.0.0/0\"]}")).AssertStatus(HttpStatusCode.NoContent);
        Assert.Equal("paused", await _api.StateOfAsync(id));
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
        (await _api.SendAsync(HttpMethod.Put, $"/sandboxes/{id}/network", "{}")).AssertError(HttpStatusCode.NotFound);
        (await _api.SendAsync(HttpMethod.Put, "/sandboxes/inosuchsandbox00000000/network", "{}")).AssertError(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("{\"denyOut\":[\"example.com\"]}", "invalid denied CIDR example.com")]
    [InlineData("{\"denyOut\":[\"10.0.0.1/8\"]}", "invalid denied CIDR 10.0.0.1/8")]
    [InlineData("{\"allowOut\":[\"999.1.1.1\"]}", "invalid allowed address 999.1.1.1")]
    [InlineData("{\"allowOut\":[\"api.example.com\"]}", "you must include 'ALL_TRAFFIC' in deny out")]
    [InlineData("{\"allowOut\":\"1.1.1.1\"}", "'allowOut' must be an array of strings")]
    [InlineData("{\"egressProxy\":{\"address\":\"proxy:1080\"}}", "'egressProxy'")]
    public async Task BadRules_Are400_AndChangeNothing(string body, string message)
    {
        var id = await _api.CreateAsync(new { templateID = "base", network = new { denyOut = new[] { "9.9.9.9" } } });
        Assert.Contains(message, (await _api.SendAsync(HttpMethod.Put, $"/sandboxes/{id}/network", body)).AssertError(HttpStatusCode.BadRequest), StringComparison.Ordinal);
        Assert.Equal(["9.9.9.9"], server.Runtime.SpecOf(id).Egress.DenyOut);
        (await _api.DeleteAsync($"/sandboxes/{id}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Create_NamesEveryBadEntry_InOneAnswer()
    {
        var before = server.Runtime.Containers.Count;
        var error = (await _api.PostRawAsync("/sandboxes", "{\"templateID\":\"base\",\"network\":{\"denyOut\":[\"a.com\",\"1.2.3.4/40\"],\"allowOut\":[\"1.2.3\"]}}"))
            .AssertError(HttpStatusCode.BadRequest);
        Assert.Contains("invalid denied CIDR a.com", error, StringComparison.Ordinal);
        Assert.Contains("invalid denied CIDR 1.2.3.4/40", error, StringComparison.Ordinal);
        Assert.Contains("invalid allowed address 1.2.3", error, StringComparison.Ordinal);
        Assert.Equal(before, server.Runtime.Containers.Count);
    }
}
