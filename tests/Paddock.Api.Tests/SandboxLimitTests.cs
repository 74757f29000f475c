using System.Net;
using Microsoft.AspNetCore.Hosting;
using Paddock.Api.Tests.Infrastructure;
using Paddock.Testing.Servers;

namespace Paddock.Api.Tests;

/// <summary>
/// <c>MaxSandboxes</c>: a server holds at most that many sandboxes (being created, running or paused); a create past
/// it is E2B's 429 with <c>{code, message}</c> and builds nothing; a kill or a failed create frees a place.
/// </summary>
public sealed class SandboxLimitTests : IDisposable
{
    private readonly InProcessServer _parent = new();
    private readonly Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program> _server;
    private readonly ApiClient _api;

    public SandboxLimitTests()
    {
        _server = _parent.WithWebHostBuilder(builder => builder.UseSetting("Paddock:MaxSandboxes", "2"));
        _api = new ApiClient(_server.CreateClient(), ServerProcess.ApiKey);
    }

    public void Dispose()
    {
        _api.Dispose();
        _server.Dispose();
        _parent.Dispose();
    }

    [Fact]
    public async Task PastTheMaximum_ACreateIs429_UntilOneEnds()
    {
        var first = await _api.CreateAsync();
        var second = await _api.CreateAsync();
        (await _api.PostAsync($"/sandboxes/{second}/pause")).AssertStatus(HttpStatusCode.NoContent);

        // Paused sandboxes hold their place: a frozen sandbox keeps its memory.
        var refused = await _api.PostAsync("/v2/sandboxes", new { templateID = "base" });
        var message = refused.AssertError(HttpStatusCode.TooManyRequests);
        Assert.Equal(429, refused.Json.GetProperty("code").GetInt32());
        Assert.Contains("maximum number of concurrent sandboxes on this server (2)", message, StringComparison.Ordinal);
        Assert.Equal(2, _parent.Runtime.Containers.Count);

        (await _api.DeleteAsync($"/sandboxes/{first}")).AssertStatus(HttpStatusCode.NoContent);
        var third = await _api.CreateAsync();
        (await _api.PostAsync("/v2/sandboxes", new { templateID = "base" })).AssertError(HttpStatusCode.TooManyRequests);

        // Resuming a paused sandbox takes no new place.
        (await _api.PostAsync($"/v2/sandboxes/{second}/connect", new { timeout = 60 })).AssertStatus(HttpStatusCode.Created);
        (await _api.DeleteAsync($"/sandboxes/{third}")).AssertStatus(HttpStatusCode.NoContent);
        (await _api.DeleteAsync($"/sandboxes/{second}")).AssertStatus(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task AFailedCreate_HoldsNoPlace()
    {
        _parent.Runtime.DuringCreate = () => throw new InvalidOperationException("no room for the rootfs");
        for (var i = 0; i < 3; i++)
        {
            (await _api.PostAsync("/v2/sandboxes", new { templateID = "base" })).AssertError(HttpStatusCode.InternalServerError);
        }

        _parent.Runtime.DuringCreate = null;
        await _api.CreateAsync();
        await _api.CreateAsync();
        (await _api.PostAsync("/v2/sandboxes", new { templateID = "base" })).AssertError(HttpStatusCode.TooManyRequests);
    }
}
