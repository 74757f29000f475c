using Paddock.Core.Lifecycle;
using Yarp.ReverseProxy.Forwarder;

namespace Paddock.Server.Proxy;

/// <summary>
/// How answers from a sandbox are passed on: as they are, except that a Connect stream ends in words the SDKs
/// understand should the sandbox go away in the middle of it (see <see cref="ConnectEndOfStream"/>).
/// </summary>
internal sealed class SandboxResponses(string sandboxId, RunningSandboxes running) : HttpTransformer
{
    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var copyBody = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        if (proxyResponse is not null && ConnectEndOfStream.Applies(proxyResponse))
        {
            var original = proxyResponse.Content;
            var wrapped = new ConnectEndOfStream(original, Reason);
            foreach (var header in original.Headers)
            {
                wrapped.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            proxyResponse.Content = wrapped;
        }

        return copyBody;
    }

    private string Reason() => running.IsRunning(sandboxId)
        ? $"the connection to sandbox {sandboxId} was lost while the request was in flight"
        : $"sandbox {sandboxId} was killed or reached its end of life while the request was in flight";
}
