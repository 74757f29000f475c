using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace Paddock.Agent.Http;

/// <summary>
/// The agent's and the code interpreter's applications behind one Kestrel server, told apart by the port a request
/// came in on: each Kestrel server keeps a heartbeat thread of its own, and every thread is a host task that every
/// sandbox holds for its whole life.
/// </summary>
internal sealed class ApplicationsByPort(int interpreterPort, IHttpApplication<HttpContext> interpreter, IHttpApplication<HttpContext> agent)
    : IHttpApplication<HttpContext>
{
    public HttpContext CreateContext(IFeatureCollection contextFeatures) => new DefaultHttpContext(contextFeatures);

    public void DisposeContext(HttpContext context, Exception? exception)
    {
    }

    // Both loopback ports are the sandbox's own; the host's channel (a unix socket) has no port and is the agent's.
    public Task ProcessRequestAsync(HttpContext context) =>
        context.Connection.LocalPort == interpreterPort && context.Connection.LocalIpAddress is { } address && System.Net.IPAddress.IsLoopback(address)
            ? interpreter.ProcessRequestAsync(context)
            : agent.ProcessRequestAsync(context);
}
